using InterimPlatform.Hosting.NativeServers;

namespace InterimPlatform.Tests.Unit;

/// <summary>Ports are handed out below the ephemeral range and reserved across processes until they are bound.</summary>
public sealed class LoopbackPortsTests
{
    [Fact]
    public void A_port_is_below_the_ephemeral_range_free_and_reserved_for_every_other_process()
    {
        var port = LoopbackPorts.GetFreePort();

        Assert.InRange(port, LoopbackPorts.FirstPort, LoopbackPorts.LastPort);
        Assert.True(LoopbackPorts.IsFree(port));
        // What another process (another AppHost, another test platform) would try next: refused while reserved.
        Assert.False(LoopbackPorts.TryReserve(port, TimeProvider.System));
    }

    [Fact]
    public void A_reservation_past_its_lifetime_is_taken_over()
    {
        var port = LoopbackPorts.GetFreePort();
        var later = new ShiftedClock(LoopbackPorts.ReservationLifetime + TimeSpan.FromMinutes(1));

        Assert.True(LoopbackPorts.TryReserve(port, later));
        Assert.False(LoopbackPorts.TryReserve(port, later));
    }

    private sealed class ShiftedClock(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + by;
    }
}
