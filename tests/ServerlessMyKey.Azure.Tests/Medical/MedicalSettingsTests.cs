using Microsoft.Extensions.Configuration;
using ServerlessMyKey.Azure.Medical;
using ServerlessMyKey.Jpki.Hpki;
using Xunit;

namespace ServerlessMyKey.Azure.Tests.Medical;

/// <summary><c>Medical:*</c> is read at start-up; a bad value stops the app naming its key.</summary>
public sealed class MedicalSettingsTests
{
    [Fact]
    public void Facilities_are_read_with_their_clients_and_networks()
    {
        var facilities = MedicalServiceCollectionExtensions.ReadFacilities(Configuration(
            ("Medical:Facilities:1310000001:Clients", "clinic-a, reader-2"),
            ("Medical:Facilities:1310000001:Networks", "tokyo-net")));

        var facility = Assert.Single(facilities.All);
        Assert.Equal(["clinic-a", "reader-2"], facility.Clients.Order(StringComparer.Ordinal));
        Assert.True(facilities.IsNetwork("tokyo-net"));
    }

    [Fact]
    public void Facility_code_that_is_not_ten_digits_names_its_key()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => MedicalServiceCollectionExtensions.ReadFacilities(Configuration(("Medical:Facilities:131000001:Clients", "clinic-a"))));

        Assert.Contains("Medical:Facilities:131000001", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Facility_without_clients_names_its_key()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => MedicalServiceCollectionExtensions.ReadFacilities(Configuration(("Medical:Facilities:1310000001:Networks", "tokyo-net"))));

        Assert.Contains("Medical:Facilities:1310000001:Clients", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hpki_profile_defaults_are_the_documented_ones()
    {
        var profile = MedicalServiceCollectionExtensions.ReadHpkiProfile(Configuration());

        Assert.Equal(HpkiProfileOptions.DefaultHcRoleAttributeOid, profile.HcRoleAttributeOid);
        Assert.Equal(HpkiProfileOptions.DefaultRoleCodingSchemeOid, profile.RoleCodingSchemeOid);
        Assert.Contains("Medical Doctor", profile.Roles);
        Assert.Empty(profile.Policies);
    }

    [Fact]
    public void Hpki_oid_that_is_not_an_oid_names_its_key()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => MedicalServiceCollectionExtensions.ReadHpkiProfile(Configuration(("Medical:Hpki:HcRoleAttributeOid", "1.2.3\n"))));

        Assert.Contains("Medical:Hpki:HcRoleAttributeOid", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hpki_roles_and_policies_are_read_as_lists()
    {
        var profile = MedicalServiceCollectionExtensions.ReadHpkiProfile(Configuration(("Medical:Hpki:Roles", "Medical Doctor, Dentist"), ("Medical:Hpki:Policies", "1.2.392.100495.1.5.1.1.1")));

        Assert.Equal(["Medical Doctor", "Dentist"], profile.Roles);
        Assert.Equal(["1.2.392.100495.1.5.1.1.1"], profile.Policies);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
}
