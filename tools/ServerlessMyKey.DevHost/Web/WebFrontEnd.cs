using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;
using ServerlessMyKey.DevHost.Hosting;
using ServerlessMyKey.LocalStorage;

namespace ServerlessMyKey.DevHost.Web;

/// <summary>
/// Serves the built front ends (<c>web/dist</c>, or <c>DevHost:WebRoot</c>) at <c>/</c>, as Static
/// Web Apps does in Azure: files as they are, any other GET answered with <c>index.html</c> so the
/// single-page app routes itself. Paths under <c>/api</c> and <c>/dev</c> are never the page's:
/// an unknown one stays the host's problem+json 404.
/// </summary>
public static class WebFrontEnd
{
    public const string WebRootKey = "DevHost:WebRoot";

    private static readonly string[] ReservedPrefixes = ["/api", "/dev"];

    public static void Map(WebApplication app, DevHostContext context)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(context);
        var root = WebRoot(context);
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            app.MapGet("/", () => Results.Content(
                $"<!doctype html><html lang=\"ja\"><meta charset=\"utf-8\"><title>ServerlessMyKey</title><p>画面はまだビルドされていません / The web front ends are not built: run <code>npm ci &amp;&amp; npm run build</code> (expected {System.Net.WebUtility.HtmlEncode(root)}).</p></html>",
                "text/html; charset=utf-8"));
            return;
        }

        var files = new PhysicalFileProvider(root);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl =
                file.Context.Request.Path.StartsWithSegments("/assets", StringComparison.Ordinal) ? "public, max-age=31536000, immutable" : "no-cache",
        });

        var index = files.GetFileInfo("index.html");
        app.MapFallback(async http =>
        {
            var path = http.Request.Path;
            if (ReservedPrefixes.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase))
                || !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)))
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            http.Response.ContentType = "text/html; charset=utf-8";
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
            await http.Response.SendFileAsync(index, http.RequestAborted);
        });
    }

    /// <summary>Where the built front ends are: <c>DevHost:WebRoot</c> (relative to the repository), else <c>web/dist</c>.</summary>
    public static string WebRoot(DevHostContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = RepositoryRoot.TryFind() ?? Directory.GetCurrentDirectory();
        var configured = context.Configuration[WebRootKey];
        return Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine(root, "web", "dist") : Path.Combine(root, configured));
    }
}
