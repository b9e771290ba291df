using Microsoft.Extensions.DependencyInjection;
using ServerlessMyKey.EndToEnd.Tests.Childcare;

namespace ServerlessMyKey.EndToEnd.Tests.Mailbox;

/// <summary>The child-care fixture with a clock that tests can move forward (the fresh-login rule), real timers otherwise.</summary>
public sealed class MailboxApiFixture : ChildcareApiFixture
{
    public ShiftedTimeProvider Clock { get; } = new();

    /// <summary>Off: a test moves <see cref="Clock"/> (<see cref="DevHostFixture.TimersEnabled"/>).</summary>
    protected override bool TimersEnabled => false;

    protected override void ConfigureServices(IServiceCollection services)
    {
        base.ConfigureServices(services);
        services.AddSingleton<TimeProvider>(Clock);
    }
}

/// <summary>The system clock plus an offset.</summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));
}
