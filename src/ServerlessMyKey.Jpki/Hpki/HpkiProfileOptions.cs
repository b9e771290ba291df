namespace ServerlessMyKey.Jpki.Hpki;

/// <summary>
/// Where an HPKI (保健医療福祉分野PKI) signing certificate carries what this service reads, bound from
/// <c>Medical:Hpki:*</c>. The HPKI certificate policy (CP) of the issuing CA is the source of every value;
/// none of the defaults could be checked against the CP here (docs/medical.md "HPKI"), so each is a setting.
/// </summary>
public sealed record HpkiProfileOptions
{
    /// <summary>ISO/TS 17090-2 hcRole, <c>id-hcpki-at-healthcareactor</c> (UNCERTAIN: from the ISO arc, not read from the HPKI CP).</summary>
    public const string DefaultHcRoleAttributeOid = "1.0.17090.0.1";

    /// <summary>The coding scheme of Japanese national qualifications in hcRole (UNCERTAIN).</summary>
    public const string DefaultRoleCodingSchemeOid = "1.2.392.100495.1.6.1.1";

    /// <summary>RFC 3739 <c>id-pda-dateOfBirth</c> in subjectDirectoryAttributes (UNCERTAIN whether HPKI certificates carry it).</summary>
    public const string DefaultDateOfBirthAttributeOid = "1.3.6.1.5.5.7.9.1";

    /// <summary>The subject's commonName (UNCERTAIN: the CP may put the kanji name elsewhere).</summary>
    public const string DefaultNameAttributeOid = "2.5.4.3";

    /// <summary>Qualification values in the English form ISO/TS 17090 and the HPKI CP use (UNCERTAIN: list not confirmed).</summary>
    public static IReadOnlyList<string> DefaultRoles { get; } =
    [
        "Medical Doctor", "Dentist", "Pharmacist", "Nurse", "Public Health Nurse", "Midwife",
        "Radiological Technologist", "Clinical Laboratory Technologist", "Physical Therapist", "Occupational Therapist",
        "Orthoptist", "Speech-Language-Hearing Therapist", "Dental Hygienist", "Dental Technician", "Clinical Engineer",
        "Prosthetist and Orthotist", "Emergency Medical Technician", "Registered Dietitian",
    ];

    /// <summary><c>Medical:Hpki:HcRoleAttributeOid</c>: the subjectDirectoryAttributes attribute holding hcRole.</summary>
    public string HcRoleAttributeOid { get; init; } = DefaultHcRoleAttributeOid;

    /// <summary><c>Medical:Hpki:RoleCodingSchemeOid</c>: hcRole's codingSchemeReference that names a national qualification.</summary>
    public string RoleCodingSchemeOid { get; init; } = DefaultRoleCodingSchemeOid;

    /// <summary><c>Medical:Hpki:Roles</c>: the qualifications accepted; any other hcRole is <c>certificate_profile_invalid</c>.</summary>
    public IReadOnlyList<string> Roles { get; init; } = DefaultRoles;

    /// <summary><c>Medical:Hpki:Policies</c>: certificate policy OIDs of which one must be present; empty = not checked.</summary>
    public IReadOnlyList<string> Policies { get; init; } = [];

    /// <summary><c>Medical:Hpki:NameAttributeOid</c>: the subject attribute holding the holder's name.</summary>
    public string NameAttributeOid { get; init; } = DefaultNameAttributeOid;

    /// <summary><c>Medical:Hpki:DateOfBirthAttributeOid</c>: the subjectDirectoryAttributes attribute holding the date of birth (GeneralizedTime).</summary>
    public string DateOfBirthAttributeOid { get; init; } = DefaultDateOfBirthAttributeOid;
}
