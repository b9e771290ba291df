using System.Text;
using Microsoft.AspNetCore.Http;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Functions.Http;
using Xunit;

namespace ServerlessMyKey.Functions.Tests;

public sealed class RequestBodyTests
{
    public sealed record Sample(string Name, int Count);

    private static HttpRequest Request(byte[] body, string? contentType = "application/json", long? declaredLength = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = declaredLength;
        return context.Request;
    }

    [Fact]
    public async Task Valid_json_is_read_case_insensitively()
    {
        var sample = await RequestBody.ReadJsonAsync<Sample>(Request("{\"name\":\"a\",\"COUNT\":2}"u8.ToArray()));

        Assert.Equal(new Sample("a", 2), sample);
    }

    [Fact]
    public async Task Malformed_json_is_invalid_json_with_its_position_but_not_its_content()
    {
        var error = await Assert.ThrowsAsync<ServiceException>(() => RequestBody.ReadJsonAsync<Sample>(Request("{\"name\":\"secret-value\",".ToUtf8())));

        Assert.Same(ErrorCodes.InvalidJson, error.Error);
        Assert.DoesNotContain("secret-value", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_json_type_is_invalid_json()
    {
        var error = await Assert.ThrowsAsync<ServiceException>(() => RequestBody.ReadJsonAsync<Sample>(Request("{\"name\":\"a\",\"count\":\"two\"}".ToUtf8())));

        Assert.Same(ErrorCodes.InvalidJson, error.Error);
    }

    [Fact]
    public async Task Empty_body_where_one_is_required_is_invalid_request()
    {
        var error = await Assert.ThrowsAsync<ServiceException>(() => RequestBody.ReadJsonAsync<Sample>(Request([])));

        Assert.Same(ErrorCodes.InvalidRequest, error.Error);
    }

    [Fact]
    public async Task Json_null_where_an_object_is_required_is_invalid_request()
    {
        var error = await Assert.ThrowsAsync<ServiceException>(() => RequestBody.ReadJsonAsync<Sample>(Request("null".ToUtf8())));

        Assert.Same(ErrorCodes.InvalidRequest, error.Error);
    }

    [Fact]
    public async Task Empty_optional_body_is_null()
    {
        Assert.Null(await RequestBody.ReadOptionalJsonAsync<Sample>(Request([])));
    }

    [Fact]
    public async Task Non_json_content_type_is_unsupported_media_type()
    {
        var error = await Assert.ThrowsAsync<ServiceException>(() => RequestBody.ReadJsonAsync<Sample>(Request("name=a".ToUtf8(), "application/x-www-form-urlencoded")));

        Assert.Same(ErrorCodes.UnsupportedMediaType, error.Error);
        Assert.Equal(415, error.Error.Status);
    }

    [Fact]
    public async Task Declared_length_over_one_mebibyte_is_refused_before_reading()
    {
        var error = await Assert.ThrowsAsync<ServiceException>(() => RequestBody.ReadBytesAsync(Request([], declaredLength: RequestBody.MaxBytes + 1)));

        Assert.Same(ErrorCodes.PayloadTooLarge, error.Error);
        Assert.Equal(413, error.Error.Status);
    }

    [Fact]
    public async Task Streamed_body_over_one_mebibyte_without_a_length_is_refused()
    {
        var error = await Assert.ThrowsAsync<ServiceException>(() => RequestBody.ReadBytesAsync(Request(new byte[RequestBody.MaxBytes + 1], declaredLength: null)));

        Assert.Same(ErrorCodes.PayloadTooLarge, error.Error);
    }

    [Fact]
    public async Task Body_of_exactly_one_mebibyte_is_read()
    {
        Assert.Equal(RequestBody.MaxBytes, (await RequestBody.ReadBytesAsync(Request(new byte[RequestBody.MaxBytes]))).Length);
    }
}

internal static class TestStrings
{
    public static byte[] ToUtf8(this string value) => Encoding.UTF8.GetBytes(value);
}
