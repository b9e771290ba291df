using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Childcare;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Idempotency;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Core.Validation;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Childcare;

/// <summary>Mynaportal's webhook: an application signed by the parent, run exactly as one the parent posted.</summary>
public sealed class MynaportalWebhookFunction(ApplicationIntake intake, WebhookAuthenticator webhooks, ILogger<MynaportalWebhookFunction> logger)
{
    public const string Source = "mynaportal";

    [Function("MynaportalWebhook")]
    [ApiOperation("Childcare", "Mynaportal delivers {eventId, type:\"application.submitted\", application, signature}; signed with x-mykey-signature (source mynaportal), idempotent by eventId. Answers as a submission; status held when the signing certificate is not yet linked to a MyKey ID.",
        Caller = ApiCaller.Webhook, RequestBody = typeof(MynaportalEvent), ResponseBody = typeof(ApplicationAccepted), Responses = [202, 400, 401, 422])]
    public Task<IActionResult> Receive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/mynaportal")] HttpRequest request,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var raw = await webhooks.ReadVerifiedWebhookAsync(request, Source, cancellationToken);
            MynaportalEvent? body;
            try
            {
                body = JsonSerializer.Deserialize<MynaportalEvent>(raw, ApiJson.Options);
            }
            catch (JsonException)
            {
                throw new ServiceException(ErrorCodes.InvalidJson);
            }

            if (body is null || body.Type != "application.submitted")
            {
                throw new ServiceException(ErrorCodes.InvalidRequest, "type must be application.submitted.");
            }

            var eventId = RequestFields.RequireId(body.EventId, "eventId");
            var answer = await intake.SubmitFromMynaportalAsync(eventId, new SubmitApplicationRequest(body.Application, body.Signature), new DurableApplicationWorkflows(durable), cancellationToken);
            return new StoredResponseResult(new StoredResponse(StatusCodes.Status202Accepted, string.Empty, answer));
        });
}
