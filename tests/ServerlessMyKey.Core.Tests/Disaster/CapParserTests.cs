using System.Text;
using ServerlessMyKey.Core.Disaster;
using ServerlessMyKey.Core.Disaster.Cap;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Testing;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Disaster;

/// <summary>
/// The CAP 1.2 parser on the OASIS examples and a Japanese evacuation order, then one broken element
/// per test, each refused with <c>invalid_cap</c> naming that element.
/// </summary>
public sealed class CapParserTests
{
    private static readonly DateTimeOffset Sent = new(2026, 11, 29, 10, 15, 0, TimeSpan.FromHours(9));
    private static readonly string Order = CapSamples.EvacuationOrder("MINAMI-2026-0001", Sent, districtCode: "hiwasa-1");

    [Fact]
    public void The_homeland_security_example_parses()
    {
        var alert = Parse(CapSamples.HomelandSecurity);
        Assert.Equal(("43b080713727", "hsas@dhs.gov", "Actual", "Alert", "Public"), (alert.Identifier, alert.Sender, alert.Status, alert.MsgType, alert.Scope));
        Assert.Equal(new DateTimeOffset(2003, 4, 2, 14, 39, 1, TimeSpan.FromHours(-5)), alert.Sent);
        var info = Assert.Single(alert.Infos);
        Assert.Equal(["Security"], info.Categories);
        Assert.Equal(("Immediate", "Severe", "Likely"), (info.Urgency, info.Severity, info.Certainty));
        Assert.Equal("Homeland Security Sets Code ORANGE", info.Headline);
        Assert.Equal([new CapValue("HSAS", "ORANGE")], info.Parameters);
        Assert.Equal("U.S. nationwide and interests worldwide", Assert.Single(info.Areas).AreaDesc);
    }

    [Fact]
    public void The_thunderstorm_example_parses_with_its_expiry_and_geocodes()
    {
        var info = Assert.Single(Parse(CapSamples.SevereThunderstorm).Infos);
        Assert.Equal(new DateTimeOffset(2003, 6, 17, 16, 0, 0, TimeSpan.FromHours(-7)), info.Expires);
        Assert.Equal(["006109", "006009", "006003"], Assert.Single(info.Areas).Geocodes.Select(g => g.Value));
    }

    [Fact]
    public void The_earthquake_update_names_the_message_it_updates()
    {
        var alert = Parse(CapSamples.EarthquakeUpdate);
        Assert.Equal("Update", alert.MsgType);
        Assert.Equal(new CapReference("trinet@caltech.edu", "TRI13970876.1", new DateTimeOffset(2003, 6, 11, 20, 30, 0, TimeSpan.FromHours(-7))), Assert.Single(alert.References));
        Assert.Equal(5, Assert.Single(alert.Infos).Parameters.Count);
    }

    [Fact]
    public void The_amber_alert_example_parses()
    {
        var alert = Parse(CapSamples.AmberAlert);
        Assert.Equal("KAR0-0306112239-SW", alert.Identifier);
        Assert.Equal("Los Angeles County", Assert.Single(Assert.Single(alert.Infos).Areas).AreaDesc);
    }

    [Fact]
    public void The_oasis_examples_target_no_municipality_here()
    {
        foreach (var sample in CapSamples.OasisExamples)
        {
            var meaning = AlertInterpretation.Of(Parse(sample), ["363880"]);
            Assert.Empty(meaning.MunicipalityCodes);
            Assert.Null(meaning.Level);
        }
    }

    [Fact]
    public void The_japanese_evacuation_order_targets_its_district_with_level_and_shelters()
    {
        var alert = Parse(Order);
        Assert.Equal(Sent, alert.Sent);
        Assert.Equal("避難指示", Assert.Single(alert.Infos).Event);
        var meaning = AlertInterpretation.Of(alert, ["363880", "015628"]);
        Assert.Equal(["363880"], meaning.MunicipalityCodes);
        Assert.Equal(["363880:hiwasa-1"], meaning.DistrictTargets);
        Assert.Equal(4, meaning.Level);
        Assert.Equal(["美波町役場", "日和佐小学校"], meaning.Shelters);
        Assert.Equal(Sent.AddHours(12), meaning.Expires);
        Assert.True(AlertInterpretation.Targets(meaning.MunicipalityCodes, meaning.DistrictTargets, "363880", "hiwasa-1"));
        Assert.False(AlertInterpretation.Targets(meaning.MunicipalityCodes, meaning.DistrictTargets, "363880", "yuki-2"));
        Assert.False(AlertInterpretation.Targets(meaning.MunicipalityCodes, meaning.DistrictTargets, "015628", "hiwasa-1"));
    }

    [Fact]
    public void A_five_digit_jis_code_matches_the_configured_six_digit_code()
    {
        var meaning = AlertInterpretation.Of(Parse(Order.Replace("<value>363880</value>", "<value>36388</value>", StringComparison.Ordinal)), ["363880"]);
        Assert.Equal(["363880"], meaning.MunicipalityCodes);
    }

    [Theory]
    [InlineData("<identifier>MINAMI-2026-0001</identifier>", "", "alert/identifier")]
    [InlineData("<identifier>MINAMI-2026-0001</identifier>", "<identifier>MINAMI 2026</identifier>", "alert/identifier")]
    [InlineData("<sender>bousai@town.minami.tokushima.jp</sender>", "<sender>bousai,town</sender>", "alert/sender")]
    [InlineData("<sender>bousai@town.minami.tokushima.jp</sender>", "<sender>bousai&#x80;town</sender>", "alert/sender")]
    [InlineData("<sender>bousai@town.minami.tokushima.jp</sender>", "<sender>bousai&#x7F;town</sender>", "alert/sender")]
    [InlineData("<sender>bousai@town.minami.tokushima.jp</sender>", "<sender>bousai&#x202E;pj.nwot</sender>", "alert/sender")]
    [InlineData("<identifier>MINAMI-2026-0001</identifier>", "<identifier>MINAMI&#x9F;2026</identifier>", "alert/identifier")]
    [InlineData("<sent>2026-11-29T10:15:00+09:00</sent>", "<sent>2026-11-29T01:15:00Z</sent>", "alert/sent")]
    [InlineData("<sent>2026-11-29T10:15:00+09:00</sent>", "<sent>2026-11-29 10:15</sent>", "alert/sent")]
    [InlineData("<status>Actual</status>", "<status>Real</status>", "alert/status")]
    [InlineData("<msgType>Alert</msgType>", "<msgType>Warning</msgType>", "alert/msgType")]
    [InlineData("<msgType>Alert</msgType>", "<msgType>Cancel</msgType>", "alert/references")]
    [InlineData("<scope>Public</scope>", "<scope>Restricted</scope>", "alert/restriction")]
    [InlineData("<scope>Public</scope>", "", "alert/scope")]
    [InlineData("<category>Geo</category>", "<category>Weather</category>", "alert/info[1]/category[1]")]
    [InlineData("<event>避難指示</event>", "", "alert/info[1]/event")]
    [InlineData("<responseType>Evacuate</responseType>", "<responseType>Run</responseType>", "alert/info[1]/responseType[1]")]
    [InlineData("<urgency>Immediate</urgency>", "<urgency>Now</urgency>", "alert/info[1]/urgency")]
    [InlineData("<severity>Extreme</severity>", "", "alert/info[1]/severity")]
    [InlineData("<certainty>Observed</certainty>", "<certainty>Sure</certainty>", "alert/info[1]/certainty")]
    [InlineData("<expires>2026-11-29T22:15:00+09:00</expires>", "<expires>tomorrow</expires>", "alert/info[1]/expires")]
    [InlineData("<areaDesc>徳島県海部郡美波町</areaDesc>", "", "alert/info[1]/area[1]/areaDesc")]
    [InlineData("<valueName>JISX0402</valueName>", "", "alert/info[1]/area[1]/geocode[1]/valueName")]
    [InlineData("<value>363880</value>", "<value>3638</value>", "alert/info[1]/area[1]/geocode")]
    [InlineData("<value>4</value>", "<value>7</value>", "alert/info[1]/parameter[1]/value")]
    [InlineData("<valueName>Shelter</valueName>", "<valueName>Shelter</valueName><valueName>Again</valueName>", "alert/info[1]/parameter[2]/valueName")]
    public void One_broken_element_is_invalid_cap_naming_it(string original, string broken, string element)
    {
        Assert.Contains(original, Order, StringComparison.Ordinal);
        var error = Assert.Throws<ServiceException>(() => Interpret(Order.Replace(original, broken, StringComparison.Ordinal)));
        Assert.Equal(ErrorCodes.InvalidCap, error.Error);
        Assert.Contains("CAP element " + element + ":", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sender_of_256_characters_with_characters_table_keys_forbid_parses_as_it_is_and_one_more_is_invalid_cap()
    {
        var sender = ("防災/bousai\\#?@町.jp" + new string('x', 256))[..256];
        Assert.Equal(sender, Parse(Order.Replace("bousai@town.minami.tokushima.jp", sender, StringComparison.Ordinal)).Sender);

        var error = Assert.Throws<ServiceException>(() => Parse(Order.Replace("bousai@town.minami.tokushima.jp", sender + "x", StringComparison.Ordinal)));
        Assert.Equal((ErrorCodes.InvalidCap, "CAP element alert/sender: must be 1–256 characters without spaces, commas, '<', '&' or control characters."), (error.Error, error.Detail));
    }

    [Fact]
    public void The_cap_1_1_namespace_is_refused()
    {
        var error = Assert.Throws<ServiceException>(() => Parse(Order.Replace("cap:1.2", "cap:1.1", StringComparison.Ordinal)));
        Assert.Equal((ErrorCodes.InvalidCap, "CAP element alert: the namespace must be urn:oasis:names:tc:emergency:cap:1.2."), (error.Error, error.Detail));
    }

    [Fact]
    public void An_external_entity_is_refused_without_being_read()
    {
        var secret = Path.GetTempFileName();
        File.WriteAllText(secret, "SECRET-CONTENT");
        try
        {
            var xxe = $"""<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY xxe SYSTEM "file://{secret}">]><alert xmlns="{CapSamples.Namespace}"><identifier>&xxe;</identifier></alert>""";
            var error = Assert.Throws<ServiceException>(() => Parse(xxe));
            Assert.Equal(ErrorCodes.InvalidCap, error.Error);
            Assert.Contains("DOCTYPE", error.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain("SECRET", error.Detail, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public void Entity_expansion_is_refused()
    {
        var laughs = new StringBuilder("""<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY lol "lol">""");
        for (var i = 1; i <= 9; i++)
        {
            laughs.Append($"<!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&lol{(i == 1 ? string.Empty : i - 1)};", 10))}\">");
        }

        laughs.Append($"""]><alert xmlns="{CapSamples.Namespace}"><identifier>&lol9;</identifier></alert>""");
        Assert.Equal(ErrorCodes.InvalidCap, Assert.Throws<ServiceException>(() => Parse(laughs.ToString())).Error);
    }

    [Fact]
    public void Xml_that_is_not_well_formed_names_the_position()
    {
        var error = Assert.Throws<ServiceException>(() => Parse(Order.Replace("</status>", "</statu>", StringComparison.Ordinal)));
        Assert.Equal(ErrorCodes.InvalidCap, error.Error);
        Assert.Contains("CAP element alert: not well-formed XML (line", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_over_256_KiB_is_payload_too_large()
    {
        var padded = Order.Replace("<description>", "<description>" + new string('あ', 90_000), StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.PayloadTooLarge, Assert.Throws<ServiceException>(() => Parse(padded)).Error);
    }

    [Fact]
    public void More_districts_than_a_table_property_holds_are_invalid_cap()
    {
        // 5 areas of 99 districts of 64 characters: well under 256 KiB, but the district list would not fit a 64 KiB property.
        var areas = string.Concat(Enumerable.Range(0, 5).Select(a =>
            "<area><areaDesc>美波町</areaDesc><geocode><valueName>JISX0402</valueName><value>363880</value></geocode>"
            + string.Concat(Enumerable.Range(0, 99).Select(d => $"<geocode><valueName>districtCode</valueName><value>{a}-{d}-{new string('d', 58)}</value></geocode>".Replace($"{a}-{d}-", $"{a:D2}-{d:D2}-", StringComparison.Ordinal)))
            + "</area>"));
        var start = Order.IndexOf("<area>", StringComparison.Ordinal);
        var end = Order.IndexOf("</area>", StringComparison.Ordinal) + "</area>".Length;
        var error = Assert.Throws<ServiceException>(() => Interpret(Order[..start] + areas + Order[end..]));
        Assert.Equal((ErrorCodes.InvalidCap, "CAP element alert/info[1]/area[5]/geocode: an alert may name 400 districts."), (error.Error, error.Detail));
    }

    [Fact]
    public void An_alert_that_is_not_cap_is_refused()
    {
        var error = Assert.Throws<ServiceException>(() => Parse("""<feed xmlns="http://www.w3.org/2005/Atom"/>"""));
        Assert.Equal("CAP element alert: the root element must be <alert>.", error.Detail);
    }

    private static CapAlert Parse(string xml) => CapParser.Parse(Encoding.UTF8.GetBytes(xml));

    private static AlertInterpretation Interpret(string xml) => AlertInterpretation.Of(Parse(xml), ["363880"]);
}
