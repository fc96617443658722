using System.Collections.Immutable;
using Phyr.Domain.Descriptors;
using Phyr.Domain.Devices;
using Phyr.Domain.Dma;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using Phyr.Domain.Results;
using Phyr.Domain.Simulation;

namespace Phyr.Domain.Drivers.Nvme;

/// <summary>
/// The I/O side of an O_DIRECT workload: the buffer (slot i at <c>Buffer + i × IoBytes</c>), the I/Os, the IOMMU domain
/// and controller components, the strategy and descriptor kind.
/// </summary>
/// <remarks>
/// <paramref name="Fixed"/>: io_uring's registered (fixed) buffers — the buffer is pinned once before the I/O
/// (IORING_REGISTER_BUFFERS: io_sqe_buffer_register → io_pin_pages, pin_user_pages_fast with FOLL_LONGTERM) and unpinned
/// once after it (io_buffer_unmap); each I/O only maps and unmaps its slot.
/// </remarks>
public sealed record DirectIoPlan(ulong Buffer, ulong IoBytes, int QueueDepth, int Ios, int Domain, int Controller, DmaStrategy Strategy, NvmeDataPolicy Data,
    DmaCosts Costs, bool Fixed = false)
{
    public ulong BufferBytes => (ulong)QueueDepth * IoBytes;
}

/// <summary>
/// One CPU doing O_DIRECT I/O to an NVMe controller at a queue depth (fs/iomap/direct-io.c, block/blk-mq-dma.c,
/// drivers/nvme/host/pci.c): each I/O pins its buffer slot (bio_iov_iter_get_pages: the fast path, without
/// FOLL_LONGTERM; buffers are faulted in), maps it for the device with the run's strategy, describes the DMA segments
/// as a PRP list or an SGL (nvme_pci_setup_prps / _sgls) and submits; on its completion (nvme_pci_complete_rq) the CPU
/// unmaps it — a strict IOMMU waits for the invalidation here — and unpins it (bio_release_pages), then submits the
/// next. The CPU runs one kernel path at a time: completions that arrive while it submits wait their turn, as the
/// interrupt would.
/// </summary>
public sealed record DirectIo : IDriverFlow<DirectIo>, ICpuFlow
{
    [EventKind("Phyr.Actors.Kernel.NvmeSubmitter+Start")]
    public sealed record Start
    {
        public static readonly Start Instance = new();
    }

    /// <summary>The kernel path the CPU is running; <c>Stopped</c>: an error ended its I/O (what is in flight is left as it is).</summary>
    public enum Path { Idle, Pinning, Mapping, Unmapping, Unpinning, Stopped, Registering, Unregistering }

    /// <summary>A buffer slot: when its I/O was submitted (its pin began) and its DMA mapping while in flight.</summary>
    public readonly record struct Slot(long SubmittedAt, DmaMapping? Mapping, int PhysSegments = 0);

    public required string Name { get; init; }
    public required GupCaller Gup { get; init; }
    public required DirectIoPlan Plan { get; init; }
    public required ImmutableArray<Slot> Slots { get; init; }

    /// <summary>Paths waiting for the CPU: a slot to submit, or a completed slot to tear down.</summary>
    public ImmutableQueue<(bool Complete, int Slot)> Work { get; init; } = [];

    /// <summary>Slots submitted to the controller, in order (it completes them in order).</summary>
    public ImmutableQueue<int> InFlight { get; init; } = [];

    public Path Running { get; init; } = Path.Idle;
    public int Current { get; init; } = -1;
    public int Issued { get; init; }
    public long Completed { get; init; }
    public long FinishedAt { get; init; } = -1;
    public long DescriptorEntries { get; init; }
    public long ListBytesPeak { get; init; }
    public long DmaSegments { get; init; }

    /// <summary>Requests by how nvme_map_data set them up, indexed by <see cref="NvmeDataSetup"/>.</summary>
    public ImmutableArray<long> Setups { get; init; } = [.. new long[Enum.GetValues<NvmeDataSetup>().Length]];
    public string? Error { get; init; }

    /// <summary>Fixed buffers: the registered buffer's pfns, in address order (what io_sqe_buffer_register keeps as bvecs).</summary>
    public ImmutableArray<ulong> Registered { get; init; } = [];

    public bool Clean => Error is not null || (Gup.PagesUnpinned == Gup.Totals.PagesPinned && FinishedAt >= 0);

    public static DirectIo For(string name, GupCaller gup, DirectIoPlan plan) =>
        new() { Name = name, Gup = gup, Plan = plan, Slots = [.. Enumerable.Repeat(new Slot(0, null), plan.QueueDepth)] };

    public DirectIo Step(FlowInput input, Effects fx) => (Running, input.Message) switch
    {
        (Path.Stopped, _) => this,
        (_, Start) when Plan.Fixed => this with { Running = Path.Registering, Gup = Gup.Range(Plan.Buffer, Plan.Buffer + Plan.BufferBytes).Begin(0, fx) },
        (_, Start) => Enumerable.Range(0, Math.Min(Plan.QueueDepth, Plan.Ios)).Aggregate(this, (s, slot) => s.Queue(input.Now, false, slot, fx)),
        (Path.Registering, var m) when GupCaller.Handles(m) => Registering(input, fx),
        (Path.Unregistering, MmProtocol.Unpinned u) => this with { Gup = Gup.Unpinned(u), Running = Path.Idle, FinishedAt = input.Now },
        (Path.Pinning, var m) when GupCaller.Handles(m) => Pinning(input, fx),
        (Path.Mapping, IommuProtocol.Mapped m) => Submit(input.Now, m.Mapping, fx),
        (_, NvmeProtocol.Completed) => (this with { InFlight = InFlight.Dequeue(out var slot) }).Queue(input.Now, true, slot, fx),
        (Path.Unmapping, IommuProtocol.Unmapped) when Plan.Fixed => IoDone(input.Now, fx),
        (Path.Unmapping, IommuProtocol.Unmapped) => Unpin(fx),
        (Path.Unpinning, MmProtocol.Unpinned u) => Unpinned(input.Now, u, fx),
        _ => throw DriverFlow.Unexpected(Name, Running, input.Message),
    };

    private ulong SlotVa(int slot) => Plan.Buffer + (ulong)slot * Plan.IoBytes;

    /// <summary>The registration's calls (the buffer pinned page by page into one array); then the I/Os start.</summary>
    private DirectIo Registering(FlowInput input, Effects fx) => StepGup(input, fx, (flow, r) =>
    {
        var next = flow with { Registered = flow.Registered.AddRange(r.Call.Pages) };
        if (next.Gup.MoreToPin) return next with { Gup = next.Gup.Begin(r.Delay, fx) };
        next = Enumerable.Range(0, Math.Min(Plan.QueueDepth, Plan.Ios))
            .Aggregate(next with { Running = Path.Idle }, (s, slot) => s.Queue(input.Now, false, slot, fx, deferStart: true));
        return next.Next(input.Now, r.Delay, fx);
    });

    /// <summary>An answer to the GUP call in flight: the call goes on, fails (the CPU stops), or returned (<paramref name="returned"/>).</summary>
    private DirectIo StepGup(FlowInput input, Effects fx, Func<DirectIo, GupCallEnd.Returned, DirectIo> returned)
    {
        var (gup, ended) = Gup.Step(input, fx);
        return ended switch
        {
            null => this with { Gup = gup },
            GupCallEnd.Failed f => this with { Gup = gup, Error = $"{Name}: {f.Reason}", Running = Path.Stopped, FinishedAt = input.Now },
            GupCallEnd.Returned r => returned(this with { Gup = gup }, r),
            _ => throw new InvalidOperationException($"unknown end of a GUP call: {ended}"),
        };
    }

    /// <summary>A fixed buffer slot's physical ranges, from the registered pfns.</summary>
    private PhysRange[] SlotRanges(int slot)
    {
        var pages = (int)(Plan.IoBytes >> Page.Shift);
        return [.. PhysRanges.Normalize(Enumerable.Range(slot * pages, pages).Select(i => new PhysRange(Registered[i] << Page.Shift, Page.Size)))];
    }

    private DirectIo Pinning(FlowInput input, Effects fx) => StepGup(input, fx, (flow, r) =>
    {
        if (r.Call.Accounting.Holds.Count > 0)
            throw new InvalidOperationException($"{Name}: an O_DIRECT buffer needed the locked path; NVMe scenarios pin faulted-in buffers");
        var ranges = r.Call.Ranges();
        fx.Send(Plan.Domain, new IommuProtocol.MapRanges(Gup.Plan.Cpu, ranges, Plan.Strategy), r.Delay);
        return flow with { Running = Path.Mapping, Slots = flow.Slots.SetItem(Current, flow.Slots[Current] with { PhysSegments = ranges.Length }) };
    });

    /// <summary>
    /// The slot is mapped: nvme_map_data's choice of data setup (<see cref="NvmeMapData"/>), its DMA segments described
    /// as PRPs or SGL descriptors for the controller, and the submission.
    /// </summary>
    private DirectIo Submit(long now, DmaMapping mapping, Effects fx)
    {
        var setup = Plan.Data.Choose(Math.Max(1, Slots[Current].PhysSegments), SlotVa(Current) & (NvmeMapData.CtrlPageSize - 1), Plan.IoBytes,
            mapping.DeviceSegments.Count, mapping.Translated);
        Descriptor d = setup.IsSgl() ? NvmeSgl.Build(mapping.DeviceSegments) : NvmePrp.Build(mapping.DeviceSegments);
        var listPages = d switch
        {
            NvmeSgl sgl => sgl.List.Pages,
            NvmePrp prp => prp.List.Pages,
            _ => 0,
        };
        var cost = d.Entries * Plan.Costs.SgEntryNs; // writing the PRP/SGL entries
        fx.Send(Plan.Controller, new NvmeProtocol.Submit((long)Plan.IoBytes, listPages, [.. mapping.DeviceSegments]), cost);
        var next = this with
        {
            Slots = Slots.SetItem(Current, Slots[Current] with { Mapping = mapping }), InFlight = InFlight.Enqueue(Current),
            DmaSegments = DmaSegments + mapping.DeviceSegments.Count, DescriptorEntries = DescriptorEntries + d.Entries,
            Setups = Setups.SetItem((int)setup, Setups[(int)setup] + 1),
            ListBytesPeak = Math.Max(ListBytesPeak, d.Bytes * Plan.QueueDepth),
        };
        return next.Done(now, cost, fx);
    }

    private DirectIo Unpin(Effects fx)
    {
        var va = SlotVa(Current);
        return this with { Running = Path.Unpinning, Gup = Gup.Range(va, va + Plan.IoBytes).Unpin(0, fx) };
    }

    private DirectIo Unpinned(long now, MmProtocol.Unpinned u, Effects fx) => (this with { Gup = Gup.Unpinned(u) }).IoDone(now, fx);

    /// <summary>An I/O is over (its buffer unmapped, and unpinned unless fixed): the slot's next I/O, or the end.</summary>
    private DirectIo IoDone(long now, Effects fx)
    {
        fx.Sample(Distribution.IoLatency, now - Slots[Current].SubmittedAt);
        var next = this with { Completed = Completed + 1 };
        if (next.Issued < Plan.Ios) next = next.Queue(now, false, Current, fx, deferStart: true);
        if (next.Completed < Plan.Ios) return next.Done(now, 0, fx);
        if (!Plan.Fixed) return (next with { FinishedAt = now }).Done(now, 0, fx);
        // io_uring_unregister_buffers: the registered buffer unpinned at once.
        return next with { Running = Path.Unregistering, Current = -1, Gup = next.Gup.Range(Plan.Buffer, Plan.Buffer + Plan.BufferBytes).Unpin(0, fx) };
    }

    private DirectIo Queue(long now, bool complete, int slot, Effects fx, bool deferStart = false)
    {
        var next = this with { Issued = complete ? Issued : Issued + 1, Work = Work.Enqueue((complete, slot)) };
        return !deferStart && Running == Path.Idle ? next.Next(now, 0, fx) : next;
    }

    private DirectIo Done(long now, long delay, Effects fx) => (this with { Running = Path.Idle, Current = -1 }).Next(now, delay, fx);

    /// <summary>Starts the next kernel path on this CPU, <paramref name="delay"/> ns from now.</summary>
    private DirectIo Next(long now, long delay, Effects fx)
    {
        if (Running != Path.Idle || Work.IsEmpty) return this;
        var work = Work.Dequeue(out var item);
        var (complete, slot) = item;
        if (complete)
        {
            fx.Send(Plan.Domain, new IommuProtocol.Unmap(Gup.Plan.Cpu, Slots[slot].Mapping!), delay);
            return this with { Work = work, Current = slot, Running = Path.Unmapping };
        }
        if (Plan.Fixed)
        {
            // A fixed buffer is pinned already: the I/O maps its slot straight away.
            var ranges = SlotRanges(slot);
            fx.Send(Plan.Domain, new IommuProtocol.MapRanges(Gup.Plan.Cpu, ranges, Plan.Strategy), delay);
            return this with
            {
                Work = work, Current = slot, Running = Path.Mapping,
                Slots = Slots.SetItem(slot, Slots[slot] with { SubmittedAt = now + delay, PhysSegments = ranges.Length }),
            };
        }
        var va = SlotVa(slot);
        return this with
        {
            Work = work, Current = slot, Running = Path.Pinning,
            Slots = Slots.SetItem(slot, Slots[slot] with { SubmittedAt = now + delay }),
            Gup = Gup.Range(va, va + Plan.IoBytes).Begin(delay, fx),
        };
    }
}
