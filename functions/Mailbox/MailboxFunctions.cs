using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using ServerlessMyKey.Core.Auth;
using ServerlessMyKey.Core.Errors;
using ServerlessMyKey.Core.Mailbox;
using ServerlessMyKey.Core.Security;
using ServerlessMyKey.Functions.Childcare;
using ServerlessMyKey.Functions.Http;
using ServerlessMyKey.Functions.OpenApi;

namespace ServerlessMyKey.Functions.Mailbox;

/// <summary>電子私書箱 (API.md "Electronic mailbox"): senders chosen by the holder, deliveries, reading with a read receipt.</summary>
public sealed class MailboxFunctions(
    MailboxService mailbox,
    ICitizenAuthenticator citizens,
    ServiceClientAuthenticator clients,
    TellSenderViewedActivity tellSender,
    ILogger<MailboxFunctions> logger)
{
    private const string Tag = "Mailbox";

    [Function("AllowMailboxSender")]
    [ApiOperation(Tag, "The holder allows a sender (a service client id) to deliver.", Caller = ApiCaller.Citizen, ResponseBody = typeof(SenderView), Responses = [200, 400, 401])]
    public Task<IActionResult> Allow(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "mailbox/senders/{senderId}")] HttpRequest request,
        string senderId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var holder = await citizens.RequireCitizenAsync(request, cancellationToken);
            _ = await RequestBody.ReadOptionalJsonAsync<object>(request, cancellationToken); // none is needed; a malformed one is still 400
            return ApiJson.Ok(await mailbox.SetSenderAsync(holder, senderId, allowed: true, cancellationToken));
        });

    [Function("BlockMailboxSender")]
    [ApiOperation(Tag, "The holder blocks a sender.", Caller = ApiCaller.Citizen, ResponseBody = typeof(SenderView), Responses = [200, 400, 401])]
    public Task<IActionResult> Block(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "mailbox/senders/{senderId}")] HttpRequest request,
        string senderId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
            ApiJson.Ok(await mailbox.SetSenderAsync(await citizens.RequireCitizenAsync(request, cancellationToken), senderId, allowed: false, cancellationToken)));

    [Function("ListMailboxSenders")]
    [ApiOperation(Tag, "The holder's senders: {senders:[{senderId, status: allowed|blocked, updatedAt}]}.", Caller = ApiCaller.Citizen, ResponseBody = typeof(SenderList), Responses = [200, 401])]
    public Task<IActionResult> ListSenders(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "mailbox/senders")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
            ApiJson.Ok(await mailbox.ListSendersAsync(await citizens.RequireCitizenAsync(request, cancellationToken), cancellationToken)));

    [Function("DeliverMailboxMessage")]
    [ApiOperation(Tag, "A sender (mailbox.send) delivers a message to a holder who allowed it; 422 recipient_not_accepting otherwise (also for an unknown MyKey ID).",
        Caller = ApiCaller.ServiceClient, Role = MailboxService.SendRole, RequestBody = typeof(DeliveryRequest), Idempotent = true, ResponseBody = typeof(DeliveryAccepted), Responses = [202, 400, 401, 403, 422])]
    public Task<IActionResult> Deliver(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "mailbox/deliveries")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var sender = clients.RequireServiceClient(request, MailboxService.SendRole);
            var body = await RequestBody.ReadJsonAsync<DeliveryRequest>(request, cancellationToken);
            return ApiJson.Accepted(await mailbox.SendAsync(sender.ClientId, body, StoredResponseResult.IdempotencyKeyOf(request), cancellationToken));
        });

    [Function("GetMailboxDelivery")]
    [ApiOperation(Tag, "The sender reads the state of its delivery: delivered, viewed (with viewedAt) or deleted.",
        Caller = ApiCaller.ServiceClient, ResponseBody = typeof(DeliveryView), Responses = [200, 401, 404])]
    public Task<IActionResult> GetDelivery(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "mailbox/deliveries/{messageId}")] HttpRequest request,
        string messageId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var sender = clients.Authenticate(request.Headers[RequestAuthentication.ApiKeyHeader].ToString()) ?? throw new ServiceException(ErrorCodes.Unauthenticated);
            return ApiJson.Ok(await mailbox.GetDeliveryAsync(sender.ClientId, messageId, cancellationToken));
        });

    [Function("ListMailboxMessages")]
    [ApiOperation(Tag, "The holder's messages, newest first, paged.", Caller = ApiCaller.Citizen, Query = ["limit", "continuationToken"], ResponseBody = typeof(MessagePage), Responses = [200, 400, 401])]
    public Task<IActionResult> ListMessages(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "mailbox/messages")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
            ApiJson.Ok(await mailbox.ListMessagesAsync(await citizens.RequireCitizenAsync(request, cancellationToken), QueryParameters.Limit(request), QueryParameters.ContinuationToken(request), cancellationToken)));

    [Function("ReadMailboxMessage")]
    [ApiOperation(Tag, "The holder reads a message (body and attachments); the first read sets viewed and tells the sender's webhook mailbox.viewed once. A message with requireFreshLogin needs a login of the last 5 minutes (401 fresh_login_required).",
        Caller = ApiCaller.Citizen, ResponseBody = typeof(MessageView), Responses = [200, 401, 404])]
    public Task<IActionResult> Read(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "mailbox/messages/{messageId}")] HttpRequest request,
        string messageId,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            var read = await mailbox.ReadAsync(await citizens.RequireCitizenAsync(request, cancellationToken), messageId, cancellationToken);
            var instanceId = ReadReceiptOrchestrator.InstanceId(read.Message.MessageId);
            if (await durable.GetInstanceAsync(instanceId, cancellationToken) is null)
            {
                await durable.ScheduleNewOrchestrationInstanceAsync(nameof(ReadReceiptOrchestrator), read.Message.MessageId, new StartOrchestrationOptions(instanceId), cancellationToken);
            }

            return ApiJson.Ok(read.Message);
        });

    [Function("DeleteMailboxMessage")]
    [ApiOperation(Tag, "The holder deletes a message; the sender sees deleted.", Caller = ApiCaller.Citizen, Responses = [204, 401, 404])]
    public Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "mailbox/messages/{messageId}")] HttpRequest request,
        string messageId,
        CancellationToken cancellationToken) =>
        ApiHandler.RunAsync(request, logger, async () =>
        {
            await mailbox.DeleteAsync(await citizens.RequireCitizenAsync(request, cancellationToken), messageId, cancellationToken);
            return new NoContentResult();
        });

    [Function(nameof(ReadReceiptOrchestrator))]
    public static Task<bool> RunReadReceipt([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new ReadReceiptOrchestrator().RunAsync(context, context.GetInput<string>()!);

    [Function(TellSenderViewedActivity.Name)]
    public Task<bool> TellSender([ActivityTrigger] string input, string instanceId) =>
        tellSender.RunAsync(new AdapterActivityContext(TellSenderViewedActivity.Name, instanceId), input);
}
