using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ServerlessMyKey.Cli;
using ServerlessMyKey.Cli.Pki;
using ServerlessMyKey.Testing.Hpki;
using Xunit;
using static ServerlessMyKey.EndToEnd.Tests.Delegation.DelegationApiFixture;

namespace ServerlessMyKey.EndToEnd.Tests.Medical;

/// <summary>
/// The real app in a DevHost with an insurer, three registered facilities (two in the network
/// <c>tokyo-net</c>, one in <c>osaka-net</c>), an HPKI CA built in code with its CRL, and virtual cards
/// for patients and a doctor.
/// </summary>
public class MedicalApiFixture : DevHostFixture, IDisposable
{
    public const string InsurerKey = "e2e-medical-insurer-key-0000000";
    public const string OtherInsurerKey = "e2e-medical-other-insurer-key-0";
    public const string ClinicAKey = "e2e-medical-clinic-a-key-000000";
    public const string ClinicBKey = "e2e-medical-clinic-b-key-000000";
    public const string OsakaKey = "e2e-medical-osaka-key-000000000";
    public const string NoFacilityKey = "e2e-medical-nofacility-key-0000";
    public const string MedicalNoRoleKey = "e2e-medical-no-role-key-0000000";
    public const string ClinicA = "1310000001";
    public const string ClinicB = "1310000002";
    public const string Osaka = "2710000003";
    public const string Insurer = "06139999";

    public static readonly CardHolder Patient = new("山田　花子", "東京都千代田区霞が関2-1-2", new DateOnly(1990, 4, 1), "female");
    public static readonly CardHolder Doctor = new("佐藤　健一", "東京都文京区本郷7-3-1", new DateOnly(1975, 5, 20), "male");

    private readonly string _folder = Directory.CreateTempSubdirectory("smk-hpki-ca-").FullName;

    public MedicalApiFixture()
    {
        RevokedDoctor = Hpki.Issue();
        File.WriteAllText(Path.Combine(_folder, "hpki-ca.pem"), Hpki.Certificate.ExportCertificatePem());
        File.WriteAllBytes(Path.Combine(_folder, "hpki-ca.crl"), Hpki.Crl(RevokedDoctor));
    }

    public HpkiTestCa Hpki { get; } = new();

    /// <summary>
    /// The two key pairs every virtual card of the medical tests uses (generating two RSA-2048 keys per card made
    /// these tests slow). Each card still gets certificates of its own, so a MyKey ID of its own.
    /// </summary>
    private static readonly Lazy<(RSA Authentication, RSA Signing)> CardKeys = new(() => (RSA.Create(2048), RSA.Create(2048)));

    /// <summary>A virtual card of <paramref name="holder"/> on the shared keys, valid until <paramref name="validTo"/> (5 years).</summary>
    public VirtualCard IssueCard(CardHolder holder, DateTimeOffset? validTo = null) => Pki.IssueCard(holder, validTo: validTo, keys: CardKeys.Value);

    protected override VirtualCard IssueCard(CardHolder holder) => IssueCard(holder, null);

    public HpkiSigner RevokedDoctor { get; }

    public virtual void Dispose()
    {
        Hpki.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Fresh insurance numbers (記号, 番号, 枝番) no other test uses.</summary>
    public static (string Symbol, string Number, string Branch) NewNumbers() =>
        ("S" + RandomNumberGenerator.GetInt32(100_000, 999_999), RandomNumberGenerator.GetInt32(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture), "0" + RandomNumberGenerator.GetInt32(1, 9));

    /// <summary>The insurer loads a member for <paramref name="holder"/> with these numbers, covered from a year ago.</summary>
    public async Task<HttpResponseMessage> PutMemberAsync(string memberKey, CardHolder holder, (string Symbol, string Number, string Branch) numbers, string? validTo = null, string insurer = Insurer) =>
        await SendAsync(HttpMethod.Put, $"api/medical/insurers/{insurer}/members/{memberKey}", Member(holder, numbers, validTo), apiKey: InsurerKey);

    public static object Member(CardHolder holder, (string Symbol, string Number, string Branch) numbers, string? validTo = null) => new
    {
        symbol = numbers.Symbol,
        number = numbers.Number,
        branch = numbers.Branch,
        name = holder.Name,
        dateOfBirth = holder.BirthDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        validFrom = DateTime.UtcNow.AddYears(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        validTo,
        copayRate = 30,
    };

    /// <summary>The body of 保険証利用登録 signed by <paramref name="card"/>.</summary>
    public static object LinkBody((string Symbol, string Number, string Branch) numbers, VirtualCard card, string insurer = Insurer) => new
    {
        insurerNumber = insurer,
        symbol = numbers.Symbol,
        number = numbers.Number,
        branch = numbers.Branch,
        signature = Signed(card, new { action = "link-insurance", insurerNumber = insurer, symbol = numbers.Symbol, number = numbers.Number, branch = numbers.Branch }),
    };

    /// <summary>A patient with a card, logged in, whose insurance is loaded and linked.</summary>
    public async Task<LinkedPatient> LinkedPatientAsync(string? validTo = null)
    {
        var (myKeyId, card) = await NewCardholderAsync(Patient);
        var numbers = NewNumbers();
        (await PutMemberAsync("m-" + myKeyId, Patient, numbers, validTo)).EnsureSuccessStatusCode();
        var linked = await SendAsync(HttpMethod.Post, "api/medical/insurance-links", LinkBody(numbers, card), bearerFor: myKeyId);
        Assert.True(linked.StatusCode == HttpStatusCode.Created, await linked.Content.ReadAsStringAsync());
        return new LinkedPatient(myKeyId, card, numbers);
    }

    /// <summary>The facility issues a link code for <paramref name="patientNumber"/> (as at its counter).</summary>
    public async Task<string> IssueLinkCodeAsync(string patientNumber, string facility = ClinicA, string apiKey = ClinicAKey)
    {
        var response = await SendAsync(HttpMethod.Post, $"api/medical/facilities/{facility}/patient-link-codes", new { patientNumber }, apiKey: apiKey);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("linkCode").GetString()!;
    }

    /// <summary>The patient links <paramref name="patientNumber"/> with <paramref name="linkCode"/>.</summary>
    public Task<HttpResponseMessage> LinkPatientNumberAsync(string myKeyId, string patientNumber, string linkCode, string facility = ClinicA) =>
        SendAsync(HttpMethod.Post, $"api/medical/facilities/{facility}/patient-links", new { patientNumber, linkCode }, bearerFor: myKeyId);

    /// <summary>The facility issues a code for <paramref name="patientNumber"/> and the patient links with it.</summary>
    public async Task LinkPatientAsync(string myKeyId, string patientNumber, string facility = ClinicA, string apiKey = ClinicAKey)
    {
        var response = await LinkPatientNumberAsync(myKeyId, patientNumber, await IssueLinkCodeAsync(patientNumber, facility, apiKey), facility);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// A login proof of <paramref name="card"/> over a fresh challenge the reader (<paramref name="readerKey"/>) asked for with
    /// <paramref name="purpose"/> (<c>medical_eligibility</c> or <c>medical_checkin</c>), as the reader sends it.
    /// </summary>
    public async Task<Dictionary<string, object?>> ProofAsync(VirtualCard card, string? facilityCode = null, string purpose = "medical_eligibility", string readerKey = ClinicAKey)
    {
        var (challengeId, challenge) = await new MyKeyApiClient(Http).CreateReaderChallengeAsync(purpose, readerKey);
        var body = JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(MyKeyApiClient.LoginBody(card, challengeId, challenge)))!;
        if (facilityCode is not null)
        {
            body["facilityCode"] = facilityCode;
        }

        return body;
    }

    public async Task<JsonElement> EligibilityAsync(VirtualCard card, string apiKey = ClinicAKey)
    {
        var response = await SendAsync(HttpMethod.Post, "api/medical/eligibility-checks", await ProofAsync(card, readerKey: apiKey), apiKey: apiKey);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> AccessLogAsync(string myKeyId)
    {
        var response = await SendAsync(HttpMethod.Get, "api/medical/access-log", bearerFor: myKeyId);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries");
    }

    protected override IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Clients:insurer-kenpo:ApiKey"] = InsurerKey,
        ["Clients:insurer-kenpo:Roles"] = "medical.insurer",
        ["Clients:insurer-other:ApiKey"] = OtherInsurerKey,
        ["Clients:insurer-other:Roles"] = "medical.insurer",
        [$"Medical:Insurers:{Insurer}:Clients"] = "insurer-kenpo",
        ["Medical:Insurers:06130001:Clients"] = "insurer-other",
        ["Clients:clinic-a:ApiKey"] = ClinicAKey,
        ["Clients:clinic-a:Roles"] = "medical.facility",
        ["Clients:clinic-b:ApiKey"] = ClinicBKey,
        ["Clients:clinic-b:Roles"] = "medical.facility",
        ["Clients:osaka:ApiKey"] = OsakaKey,
        ["Clients:osaka:Roles"] = "medical.facility",
        ["Clients:no-facility:ApiKey"] = NoFacilityKey,
        ["Clients:no-facility:Roles"] = "medical.facility",
        ["Clients:no-role:ApiKey"] = MedicalNoRoleKey,
        ["Clients:no-role:Roles"] = "points.read",
        [$"Medical:Facilities:{ClinicA}:Clients"] = "clinic-a",
        [$"Medical:Facilities:{ClinicA}:Networks"] = "tokyo-net",
        [$"Medical:Facilities:{ClinicB}:Clients"] = "clinic-b",
        [$"Medical:Facilities:{ClinicB}:Networks"] = "tokyo-net",
        [$"Medical:Facilities:{Osaka}:Clients"] = "osaka",
        [$"Medical:Facilities:{Osaka}:Networks"] = "osaka-net",
        ["Medical:Hpki:TrustAnchors:0"] = Path.Combine(_folder, "hpki-ca.pem"),
        ["Medical:Hpki:CrlFiles:0"] = Path.Combine(_folder, "hpki-ca.crl"),
    };
}

/// <summary>A logged-in patient whose card is linked to their insurance.</summary>
public sealed record LinkedPatient(string MyKeyId, VirtualCard Card, (string Symbol, string Number, string Branch) Numbers);

[CollectionDefinition(Name)]
public sealed class MedicalCollection : ICollectionFixture<MedicalApiFixture>
{
    public const string Name = "Medical DevHost";
}
