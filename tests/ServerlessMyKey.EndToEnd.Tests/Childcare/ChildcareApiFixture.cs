using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.Core.Childcare;
using ServerlessMyKey.EndToEnd.Tests.Delegation;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Childcare;

/// <summary>
/// The real app in a DevHost with the municipality of Chiyoda (131016, client <c>chiyoda</c>, whose
/// webhook records read receipts) and Minato (131032, client <c>minato</c>); parents, the corporate
/// representative and HR employees are virtual cards.
/// </summary>
public class ChildcareApiFixture : DevHostFixture, IDisposable
{
    public const string ChiyodaKey = "e2e-chiyoda-municipality-key-000";
    public const string MinatoKey = "e2e-minato-municipality-key-0000";
    public const string ClinicKey = "e2e-clinic-mailbox-sender-key-00";
    public const string ChiyodaWebhookSecret = "e2e-chiyoda-webhook-secret-0000000000";
    public const string MynaportalSecret = "e2e-mynaportal-webhook-secret-00";
    public const string CorporateNumber = "7000012050002";

    public static readonly CardHolder Parent = new("子育　花子", "東京都千代田区九段南1-2-1", new DateOnly(1992, 8, 15), "female");
    public static readonly CardHolder HrEmployee = new("人事　一郎", "東京都港区芝公園4-2-8", new DateOnly(1980, 3, 3), "male");

    public WebhookReceiver Webhooks { get; } = new();

    /// <summary>Orders concurrent record updates when a test arms it (pass-through otherwise).</summary>
    public RaceGate Gate { get; } = new();

    /// <summary>Every log line of the app at Information and up.</summary>
    public LogCapture Logs { get; } = new();

    public virtual void Dispose() => Webhooks.Dispose();

    /// <summary>A representative registers a delegation for <c>childcare.employment-certificate</c> at <paramref name="agency"/> to a new HR employee, who accepts it.</summary>
    public async Task<(string HrId, VirtualCard Hr, string Number)> EmployerHrAsync(string agency = "*")
    {
        var (_, representative) = await NewCardholderAsync(Representative);
        var (hrId, hr) = await NewCardholderAsync(HrEmployee);
        var document = Document(hrId, delegateName: HrEmployee.Name);
        document["powers"] = new[] { new { procedure = "childcare.employment-certificate", agency } };
        var created = await (await SendAsync(HttpMethod.Post, "api/delegations", new { delegation = document, signature = Signed(representative, document) })).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("delegationId").GetString()!;
        (await SendAsync(HttpMethod.Post, $"api/delegations/{id}/acceptance", new { signature = Signed(hr, new { action = "accept", delegationId = id }) }, bearerFor: hrId)).EnsureSuccessStatusCode();
        return (hrId, hr, created.GetProperty("number").GetString()!);
    }

    /// <summary>A nursery application for Chiyoda with the given employers.</summary>
    public static Dictionary<string, object?> Nursery(params string[] corporateNumbers) => new()
    {
        ["procedure"] = "nursery.application",
        ["formVersion"] = 1,
        ["municipalityCode"] = "131016",
        ["form"] = new
        {
            child = new { name = "子育　太郎", furigana = "こそだて　たろう", dateOfBirth = "2025-06-01" },
            desiredStartMonth = "2027-04",
            preferredFacilities = new[] { "千代田区立九段保育園" },
            guardians = new[] { new { name = Parent.Name, relationship = "母", working = true } },
        },
        ["employers"] = corporateNumbers.Select(n => new { corporateNumber = n, name = "株式会社サンプル", guardian = "applicant" }).ToArray(),
    };

    /// <summary>A child-allowance claim for Chiyoda with the birth on <paramref name="eventDate"/>.</summary>
    public static Dictionary<string, object?> Allowance(string eventDate) => new()
    {
        ["procedure"] = "child-allowance.claim",
        ["formVersion"] = 1,
        ["municipalityCode"] = "131016",
        ["form"] = new
        {
            child = new { name = "子育　次郎", dateOfBirth = eventDate },
            eventType = "birth",
            eventDate,
            bankAccount = new { bankCode = "0001", branchCode = "123", accountNumber = "1234567", holderKana = "コソダテ ハナコ" },
        },
    };

    /// <summary>A pregnancy notification for Chiyoda (no employers: <c>received</c> at once).</summary>
    public static Dictionary<string, object?> Pregnancy(int weeks) => new()
    {
        ["procedure"] = "pregnancy.notification",
        ["formVersion"] = 1,
        ["municipalityCode"] = "131016",
        ["form"] = new { expectedDeliveryDate = "2027-06-01", pregnancyWeeks = weeks },
    };

    /// <summary>
    /// Submits <paramref name="application"/> for the parent <paramref name="myKeyId"/>, naming them as
    /// <c>applicantMyKeyId</c> (unless the application names someone already) and signed by <paramref name="card"/>.
    /// </summary>
    public Task<HttpResponseMessage> SubmitAsync(string myKeyId, VirtualCard card, Dictionary<string, object?> application, string? idempotencyKey = null)
    {
        var named = For(myKeyId, application);
        return SendAsync(HttpMethod.Post, "api/childcare/applications", new { application = named, signature = Signed(card, named) }, bearerFor: myKeyId, idempotencyKey: idempotencyKey);
    }

    /// <summary>Posts the amendment <paramref name="application"/> of <paramref name="applicationId"/> for <paramref name="myKeyId"/> (named as for a submission), signed by <paramref name="card"/>.</summary>
    public Task<HttpResponseMessage> AmendAsync(string myKeyId, VirtualCard card, string applicationId, Dictionary<string, object?> application)
    {
        var named = For(myKeyId, application);
        return SendAsync(HttpMethod.Post, $"api/childcare/applications/{applicationId}/amendments", new { application = named, signature = Signed(card, named) }, bearerFor: myKeyId);
    }

    /// <summary>A copy of <paramref name="application"/> that names <paramref name="myKeyId"/> as <c>applicantMyKeyId</c> (kept when it names someone already).</summary>
    public static Dictionary<string, object?> For(string myKeyId, Dictionary<string, object?> application)
    {
        var named = new Dictionary<string, object?>(application);
        named.TryAdd("applicantMyKeyId", myKeyId);
        return named;
    }

    /// <summary>Polls the application as the municipality until it is <paramref name="status"/>.</summary>
    public async Task<JsonElement> WaitForStatusAsync(string applicationId, string status, string apiKey = ChiyodaKey)
    {
        JsonElement last = default;
        for (var i = 0; i < 240; i++)
        {
            last = await (await SendAsync(HttpMethod.Get, $"api/childcare/applications/{applicationId}", apiKey: apiKey)).Content.ReadFromJsonAsync<JsonElement>();
            if (last.TryGetProperty("status", out var current) && current.GetString() == status)
            {
                return last;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"Application stayed {last}.");
    }

    /// <summary>Polls the application until the workflow has recorded <paramref name="count"/> delivered notices on it.</summary>
    public async Task WaitForNoticesAsync(string applicationId, int count)
    {
        for (var i = 0; i < 240; i++)
        {
            var view = await (await SendAsync(HttpMethod.Get, $"api/childcare/applications/{applicationId}", apiKey: ChiyodaKey)).Content.ReadFromJsonAsync<JsonElement>();
            if (view.TryGetProperty("notices", out var notices) && notices.GetArrayLength() >= count)
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The workflow did not record {count} notice(s).");
    }

    /// <summary>Polls the parent's mailbox until a message with <paramref name="subject"/> is listed.</summary>
    public async Task<JsonElement> WaitForMessageAsync(string myKeyId, string subject)
    {
        for (var i = 0; i < 240; i++)
        {
            var page = await (await SendAsync(HttpMethod.Get, "api/mailbox/messages", bearerFor: myKeyId)).Content.ReadFromJsonAsync<JsonElement>();
            foreach (var message in page.GetProperty("messages").EnumerateArray())
            {
                if (message.GetProperty("subject").GetString() == subject)
                {
                    return message;
                }
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"No message '{subject}' arrived.");
    }

    protected override void ConfigureServices(IServiceCollection services)
    {
        var store = services.Last(d => d.ServiceType == typeof(IApplicationStore));
        services.Remove(store);
        services.AddSingleton<IApplicationStore>(sp => new GatedApplicationStore((IApplicationStore)store.ImplementationFactory!(sp), Gate));
        services.AddSingleton<ILoggerProvider>(Logs);
        services.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(typeof(LogCapture).FullName, null, LogLevel.Information, null)));
    }

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Clients:chiyoda:ApiKey"] = ChiyodaKey,
        ["Clients:chiyoda:Roles"] = "childcare.municipality,signatures.verify",
        ["Clients:chiyoda:WebhookUrl"] = Webhooks.Url,
        ["Clients:chiyoda:WebhookSecret"] = ChiyodaWebhookSecret,
        ["Clients:minato:ApiKey"] = MinatoKey,
        ["Clients:minato:Roles"] = "childcare.municipality",
        ["Clients:clinic:ApiKey"] = ClinicKey,
        ["Clients:clinic:Roles"] = "mailbox.send",
        ["Childcare:Municipalities:131016:Clients"] = "chiyoda",
        ["Childcare:Municipalities:131032:Clients"] = "minato",
        ["Childcare:EmployerResponseDays"] = "1",
        ["Webhooks:mynaportal:Secret"] = MynaportalSecret,
    };
}
