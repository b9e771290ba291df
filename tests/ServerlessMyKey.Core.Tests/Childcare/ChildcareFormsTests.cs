using System.Text.Json;
using ServerlessMyKey.Core.Childcare;
using ServerlessMyKey.Core.Errors;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Childcare;

/// <summary>The forms' JSON Schemas: a valid form of each procedure, then one broken field per case with its pointer.</summary>
public sealed class ChildcareFormsTests
{
    public const string Nursery = """{"child":{"name":"山田 太郎","furigana":"やまだ たろう","dateOfBirth":"2025-06-01"},"desiredStartMonth":"2027-04","preferredFacilities":["千代田保育園"],"guardians":[{"name":"山田 花子","relationship":"母","working":true}]}""";
    public const string Allowance = """{"child":{"name":"山田 次郎","dateOfBirth":"2026-05-10"},"eventType":"birth","eventDate":"2026-05-10","bankAccount":{"bankCode":"0001","branchCode":"123","accountNumber":"1234567","holderKana":"ヤマダ ハナコ"}}""";
    public const string Pregnancy = """{"expectedDeliveryDate":"2027-01-20","pregnancyWeeks":11}""";

    [Theory]
    [InlineData(ChildcareProcedures.NurseryApplication, Nursery)]
    [InlineData(ChildcareProcedures.ChildAllowanceClaim, Allowance)]
    [InlineData(ChildcareProcedures.PregnancyNotification, Pregnancy)]
    public void A_valid_form_has_no_violations(string procedure, string form) =>
        Assert.Empty(ChildcareForms.Validate(procedure, 1, JsonDocument.Parse(form).RootElement, "/application/form"));

    [Theory]
    [InlineData(ChildcareProcedures.NurseryApplication, Nursery, "\"2025-06-01\"", "\"2025-13-01\"", "/application/form/child/dateOfBirth")]
    [InlineData(ChildcareProcedures.NurseryApplication, Nursery, "\"2027-04\"", "\"2027-4\"", "/application/form/desiredStartMonth")]
    [InlineData(ChildcareProcedures.NurseryApplication, Nursery, "\"working\":true", "\"working\":\"yes\"", "/application/form/guardians/0/working")]
    [InlineData(ChildcareProcedures.ChildAllowanceClaim, Allowance, "\"birth\"", "\"adoption\"", "/application/form/eventType")]
    [InlineData(ChildcareProcedures.ChildAllowanceClaim, Allowance, "\"1234567\"", "\"12345\"", "/application/form/bankAccount/accountNumber")]
    [InlineData(ChildcareProcedures.PregnancyNotification, Pregnancy, "11", "0", "/application/form/pregnancyWeeks")]
    public void One_broken_field_is_reported_at_its_pointer(string procedure, string form, string from, string to, string pointer)
    {
        var violations = ChildcareForms.Validate(procedure, 1, JsonDocument.Parse(form.Replace(from, to)).RootElement, "/application/form");

        Assert.Contains(violations, v => v.Pointer == pointer && v.Message.Length > 0);
    }

    [Fact]
    public void Every_violation_is_reported()
    {
        var broken = JsonDocument.Parse("""{"child":{"name":"","dateOfBirth":"x"},"eventType":"birth","eventDate":"2026-05-10"}""").RootElement;

        var pointers = ChildcareForms.Validate(ChildcareProcedures.ChildAllowanceClaim, 1, broken, "/application/form").Select(v => v.Pointer).ToHashSet();

        Assert.Contains("/application/form", pointers); // bankAccount missing
        Assert.Contains("/application/form/child/name", pointers);
        Assert.Contains("/application/form/child/dateOfBirth", pointers);
    }

    [Fact]
    public void An_unknown_form_version_is_unknown_procedure()
    {
        Assert.False(ChildcareForms.Exists(ChildcareProcedures.NurseryApplication, 2));
        var error = Assert.Throws<ServiceException>(() => ChildcareForms.Validate(ChildcareProcedures.NurseryApplication, 2, JsonDocument.Parse("{}").RootElement, "/"));
        Assert.Equal(ErrorCodes.UnknownProcedure, error.Error);
    }
}
