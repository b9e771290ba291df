using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// The registered insurers (<c>Medical:Insurers:&lt;insurerNumber&gt;:Clients</c>): which service clients (each also
/// holding the role <c>medical.insurer</c>) load the member records of which 保険者番号. The role alone names no
/// insurer: without this an insurer's client could overwrite another insurer's members.
/// </summary>
public sealed class MedicalInsurers
{
    private readonly Dictionary<string, IReadOnlySet<string>> _clients;

    public MedicalInsurers(IReadOnlyDictionary<string, IReadOnlySet<string>> clientsByInsurer)
    {
        ArgumentNullException.ThrowIfNull(clientsByInsurer);
        _clients = new Dictionary<string, IReadOnlySet<string>>(clientsByInsurer, StringComparer.Ordinal);
    }

    /// <summary>Passes when <paramref name="client"/> acts for <paramref name="insurerNumber"/>; 403 otherwise (an unregistered insurer included).</summary>
    public void Require(string insurerNumber, ServiceClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!_clients.TryGetValue(insurerNumber, out var clients) || !clients.Contains(client.ClientId))
        {
            throw new ServiceException(ErrorCodes.Forbidden, "This API key does not act for the insurer (Medical:Insurers).");
        }
    }
}
