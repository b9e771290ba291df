using System.Text;
using ServerlessMyKey.Core.Json;
using Xunit;

namespace ServerlessMyKey.Core.Tests.Json;

/// <summary>The examples of RFC 8785 (§3.2.2, §3.2.3, Appendix B) and its I-JSON refusals.</summary>
public sealed class JsonCanonicalizerTests
{
    private static string Canonical(string json) => Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(json));

    [Fact]
    public void Rfc8785_3_2_2_whitespace_literals_numbers_and_strings()
    {
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50,
                          2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        Assert.Equal(
            """{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}""",
            Canonical(input));
    }

    [Fact]
    public void Rfc8785_3_2_3_members_sorted_by_utf16_code_units()
    {
        const string input = """
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """;
        var expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\","
            + "\"\u20ac\":\"Euro Sign\",\"\U0001F600\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
        Assert.Equal(expected, Canonical(input));
    }

    [Fact]
    public void Rfc8785_3_2_4_utf8_output_bytes()
    {
        // The RFC's example: {"Unnormalized Unicode":"A\u030a"} is kept as is (no normalization).
        var bytes = JsonCanonicalizer.Canonicalize("""{"Unnormalized Unicode":"A\u030a"}""");
        Assert.Equal("7b22556e6e6f726d616c697a656420556e69636f6465223a2241cc8a227d", Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void Nested_structures_and_the_del_character_are_not_escaped()
    {
        Assert.Equal(
            "{\"1\":\"One\",\"</script>\":\"Browser Challenge\",\"\u0080\":\"Control\u007f\"}",
            Canonical("{\"\\u0080\": \"Control\\u007f\", \"1\": \"One\", \"</script>\": \"Browser Challenge\"}"));
        Assert.Equal("""[56,{"1":[],"10":null,"d":true}]""", Canonical("""[ 56, { "d": true, "10": null, "1": [ ] } ]"""));
    }

    // RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript serialization.
    [Theory]
    [InlineData(0x0000000000000000UL, "0")]
    [InlineData(0x8000000000000000UL, "0")]
    [InlineData(0x0000000000000001UL, "5e-324")]
    [InlineData(0x8000000000000001UL, "-5e-324")]
    [InlineData(0x7fefffffffffffffUL, "1.7976931348623157e+308")]
    [InlineData(0xffefffffffffffffUL, "-1.7976931348623157e+308")]
    [InlineData(0x4340000000000000UL, "9007199254740992")]
    [InlineData(0xc340000000000000UL, "-9007199254740992")]
    [InlineData(0x4430000000000000UL, "295147905179352830000")]
    [InlineData(0x44b52d02c7e14af5UL, "9.999999999999997e+22")]
    [InlineData(0x44b52d02c7e14af6UL, "1e+23")]
    [InlineData(0x44b52d02c7e14af7UL, "1.0000000000000001e+23")]
    [InlineData(0x444b1ae4d6e2ef4eUL, "999999999999999700000")]
    [InlineData(0x444b1ae4d6e2ef4fUL, "999999999999999900000")]
    [InlineData(0x444b1ae4d6e2ef50UL, "1e+21")]
    [InlineData(0x3eb0c6f7a0b5ed8cUL, "9.999999999999997e-7")]
    [InlineData(0x3eb0c6f7a0b5ed8dUL, "0.000001")]
    [InlineData(0x41b3de4355555553UL, "333333333.3333332")]
    [InlineData(0x41b3de4355555554UL, "333333333.33333325")]
    [InlineData(0x41b3de4355555555UL, "333333333.3333333")]
    [InlineData(0x41b3de4355555556UL, "333333333.3333334")]
    [InlineData(0x41b3de4355555557UL, "333333333.33333343")]
    [InlineData(0xbecbf647612f3696UL, "-0.0000033333333333333333")]
    [InlineData(0x43143ff3c1cb0959UL, "1424953923781206.2")]
    public void Rfc8785_appendix_b_numbers(ulong bits, string expected)
    {
        var value = BitConverter.UInt64BitsToDouble(bits);
        Assert.Equal(expected, JsonCanonicalizer.FormatNumber(value));
        Assert.Equal(expected, Canonical(value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData(0x7fffffffffffffffUL)]
    [InlineData(0x7ff0000000000000UL)]
    public void Rfc8785_appendix_b_nan_and_infinity_are_refused(ulong bits) =>
        Assert.Throws<FormatException>(() => JsonCanonicalizer.FormatNumber(BitConverter.UInt64BitsToDouble(bits)));

    [Theory]
    [InlineData("""{"a":1,"a":2}""")]
    [InlineData("""["\ud800"]""")]
    [InlineData("""{"\udc00":1}""")]
    [InlineData("[1e400]")]
    [InlineData("{")]
    [InlineData("[1] [2]")]
    public void Non_i_json_input_is_refused(string input) =>
        Assert.Throws<FormatException>(() => JsonCanonicalizer.Canonicalize(input));

    [Fact]
    public void Canonical_form_is_a_fixed_point()
    {
        const string input = """{"b":[1.0,-0,2e2,"x\u2028"],"a":{"z":false,"y":"\u00e9"}}""";
        var once = JsonCanonicalizer.Canonicalize(input);
        Assert.Equal(once, JsonCanonicalizer.Canonicalize(once));
        Assert.Equal("{\"a\":{\"y\":\"é\",\"z\":false},\"b\":[1,0,200,\"x\u2028\"]}", Encoding.UTF8.GetString(once));
    }
}
