using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Security;

namespace ServerlessMyKey.Core.Medical;

/// <summary>
/// A registered medical facility (<c>Medical:Facilities:&lt;facilityCode&gt;</c>): the service clients that act
/// for it (<c>:Clients</c>, each also holding the role <c>medical.facility</c>) and the regional medical
/// networks it takes part in (<c>:Networks</c>).
/// </summary>
public sealed record MedicalFacility(string FacilityCode, IReadOnlySet<string> Clients, IReadOnlySet<string> Networks);

/// <summary>The registered facilities, and which one a calling client acts for.</summary>
public sealed class MedicalFacilities
{
    private readonly Dictionary<string, MedicalFacility> _byCode;

    public MedicalFacilities(IEnumerable<MedicalFacility> facilities)
    {
        ArgumentNullException.ThrowIfNull(facilities);
        _byCode = facilities.ToDictionary(f => f.FacilityCode, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<MedicalFacility> All => _byCode.Values;

    /// <summary>Whether any facility takes part in <paramref name="network"/>.</summary>
    public bool IsNetwork(string network) => _byCode.Values.Any(f => f.Networks.Contains(network));

    /// <summary>The facility of the route, when <paramref name="client"/> acts for it; 404 for an unknown code, 403 for another facility's client.</summary>
    public MedicalFacility Require(string? facilityCode, ServiceClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var code = MedicalFields.RequireFacilityCode(facilityCode);
        if (!_byCode.TryGetValue(code, out var facility))
        {
            throw new ServiceException(ErrorCodes.NotFound, "No medical facility with this code is registered (Medical:Facilities).");
        }

        return facility.Clients.Contains(client.ClientId)
            ? facility
            : throw new ServiceException(ErrorCodes.Forbidden, "This API key does not act for the facility.");
    }

    /// <summary>
    /// The facility a client acts for when the request names none: its only facility. A client of several
    /// facilities must name one (<c>facilityCode</c>); a client of none is 403.
    /// </summary>
    public MedicalFacility ForClient(string? facilityCode, ServiceClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (facilityCode is not null)
        {
            return Require(facilityCode, client);
        }

        var facilities = _byCode.Values.Where(f => f.Clients.Contains(client.ClientId)).Take(2).ToList();
        return facilities.Count switch
        {
            1 => facilities[0],
            0 => throw new ServiceException(ErrorCodes.Forbidden, "This API key acts for no registered medical facility."),
            _ => throw new ServiceException(ErrorCodes.InvalidRequest, "This API key acts for several facilities: name one in 'facilityCode'."),
        };
    }
}
