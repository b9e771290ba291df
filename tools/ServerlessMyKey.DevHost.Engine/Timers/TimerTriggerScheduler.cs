using System.Globalization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NCrontab;
using ServerlessMyKey.DevHost.Invocation;

namespace ServerlessMyKey.DevHost.Timers;

/// <summary>
/// Runs one timer-triggered function on its schedule: a six-field NCRONTAB expression (seconds
/// first, as Functions) or a TimeSpan interval, evaluated in UTC, plus <c>runOnStartup</c>.
/// </summary>
internal sealed class TimerTriggerScheduler(
    HostedFunction function,
    TimerSchedule schedule,
    bool runOnStartup,
    IServiceProvider services,
    TimeProvider timeProvider,
    ILogger logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var last = DateTime.MinValue;
        if (runOnStartup)
        {
            await InvokeAsync(last, schedule.Next(timeProvider.GetUtcNow().UtcDateTime), isPastDue: false, stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var now = timeProvider.GetUtcNow().UtcDateTime;
            var next = schedule.Next(now);
            try
            {
                await Task.Delay(next - now, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var firedAt = timeProvider.GetUtcNow().UtcDateTime;
            await InvokeAsync(last, schedule.Next(next), isPastDue: firedAt - next > TimeSpan.FromSeconds(1), stoppingToken);
            last = next;
        }
    }

    private async Task InvokeAsync(DateTime last, DateTime next, bool isPastDue, CancellationToken stoppingToken)
    {
        var info = new TimerInfo
        {
            IsPastDue = isPastDue,
            ScheduleStatus = new ScheduleStatus { Last = last, Next = next, LastUpdated = timeProvider.GetUtcNow().UtcDateTime },
        };
        try
        {
            await using var scope = services.CreateAsyncScope();
            await function.InvokeAsync(new InvocationContext
            {
                Services = scope.ServiceProvider,
                CancellationToken = stoppingToken,
                TriggerValue = info,
                DurableClient = scope.ServiceProvider.GetService<DurableTaskClient>(),
            });
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Timer function {FunctionName} failed", function.Name);
        }
    }
}

/// <summary>A timer schedule as the Functions timer trigger reads it.</summary>
public sealed class TimerSchedule
{
    private readonly CrontabSchedule? _cron;
    private readonly TimeSpan? _interval;

    private TimerSchedule(CrontabSchedule? cron, TimeSpan? interval)
    {
        _cron = cron;
        _interval = interval;
    }

    public static TimerSchedule Parse(string expression)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(expression);
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 1 && TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero)
        {
            return new TimerSchedule(null, interval);
        }

        if (fields.Length != 6)
        {
            throw new FormatException($"Timer schedule '{expression}' must be a six-field NCRONTAB expression ({{second}} {{minute}} {{hour}} {{day}} {{month}} {{day-of-week}}) or a TimeSpan.");
        }

        return new TimerSchedule(CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true }), null);
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/> (UTC).</summary>
    public DateTime Next(DateTime after) =>
        _cron is not null ? _cron.GetNextOccurrence(after) : after + _interval!.Value;
}
