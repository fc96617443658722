using Phyr.Actors.Engine;
using Phyr.Domain.Descriptors;
using Phyr.Domain.Dma;
using Phyr.Domain.Memory;
using Phyr.Domain.Mm;
using Phyr.Domain.Scenarios;
using Phyr.Domain.Simulation.Metrics;

namespace Phyr.Actors.Kernel;

/// <summary>
/// One CPU doing O_DIRECT I/O to an NVMe controller at a queue depth: each I/O pins its buffer slot
/// (the fast path: buffers are faulted in), maps it for the device with the run's strategy, describes the
/// DMA segments as a PRP list or an SGL, and submits; on its completion the CPU unmaps it (a strict
/// IOMMU waits for the invalidation here) and unpins it, then submits the next. The CPU runs one kernel
/// path at a time: completions that arrive while it submits wait their turn, as the interrupt would.
/// </summary>
public sealed class NvmeSubmitter : SimComponent
{
    public sealed record Start
    {
        public static readonly Start Instance = new();
    }

    /// <summary>What the device side needs: components, strategy, descriptor kind, and costs.</summary>
    public sealed record Plan(int Process, int Domain, int Controller, DmaStrategy Strategy, bool Sgl, GupCallKind Call, GupOptions Gup,
        GupCosts GupCosts, DmaCosts DmaCosts);

    private enum Step { Idle, Pinning, Mapping, Unmapping, Unpinning }

    private sealed class Slot(int index)
    {
        public readonly int Index = index;
        public long SubmittedAt;
        public DmaMapping? Mapping;
    }

    private readonly int _cpu;
    private readonly ulong _buffer;
    private readonly ulong _ioBytes;
    private readonly int _total;
    private readonly Plan _plan;
    private readonly Slot[] _slots;
    private readonly Queue<(bool Complete, Slot Slot)> _work = new();
    private readonly Queue<Slot> _inFlight = new();
    private Step _step = Step.Idle;
    private Slot? _current;
    private int _issued;

    public NvmeSubmitter(string name, int cpu, ulong buffer, ulong ioBytes, int queueDepth, int totalIos, Plan plan) : base(name)
    {
        _cpu = cpu;
        _buffer = buffer;
        _ioBytes = ioBytes;
        _total = totalIos;
        _plan = plan;
        _slots = Enumerable.Range(0, queueDepth).Select(i => new Slot(i)).ToArray();
    }

    public long Completed { get; private set; }
    public long FinishedAt { get; private set; } = -1;
    public long PagesPinned { get; private set; }
    public long PagesUnpinned { get; private set; }
    public long DescriptorEntries { get; private set; }
    public long ListBytesPeak { get; private set; }
    public long DmaSegments { get; private set; }
    public LatencyHistogram Latency { get; } = new();
    public long WalkNs { get; private set; }
    public long AtomicsNs { get; private set; }
    public GupTotals Totals { get; } = new();

    protected internal override void OnMessage(SimContext ctx, object message)
    {
        switch (message)
        {
            case Start:
                foreach (var slot in _slots.Take(Math.Min(_slots.Length, _total))) Queue(ctx, false, slot);
                break;
            case Process.Walked w when _step == Step.Pinning:
            {
                var call = w.Result;
                if (call.Accounting.Holds.Count > 0)
                    throw new InvalidOperationException($"{Name}: an O_DIRECT buffer needed the locked path; NVMe scenarios pin faulted-in buffers");
                Totals.Add(call.Accounting);
                WalkNs += _plan.GupCosts.WalksTime(call.Accounting);
                AtomicsNs += _plan.GupCosts.AtomicsTime(call.Accounting);
                PagesPinned += call.Accounting.PagesPinned;
                var ranges = call.Pages.Count > 0
                    ? PhysRanges.Normalize(call.Pages.Select(p => new PhysRange(p << Page.Shift, Page.Size)))
                    : [.. call.Phyrs];
                _step = Step.Mapping;
                var cost = Math.Max(0, _plan.GupCosts.Unlocked(call.Accounting, _plan.Gup.Longterm) - _plan.GupCosts.WalkNs);
                ctx.Send(_plan.Domain, new IommuDomain.MapRanges(_cpu, [.. ranges], _plan.Strategy), cost + ctx.Lookahead);
                break;
            }
            case IommuDomain.Mapped m when _step == Step.Mapping:
            {
                var slot = _current!;
                slot.Mapping = m.Mapping;
                DmaSegments += m.Mapping.DeviceSegments.Count;
                Descriptor d = _plan.Sgl ? NvmeSgl.Build(m.Mapping.DeviceSegments) : NvmePrp.Build(m.Mapping.DeviceSegments);
                var listPages = d switch
                {
                    NvmeSgl sgl => sgl.List.Pages,
                    NvmePrp prp => prp.List.Pages,
                    _ => 0,
                };
                DescriptorEntries += d.Entries;
                ListBytesPeak = Math.Max(ListBytesPeak, d.Bytes * _slots.Length);
                _inFlight.Enqueue(slot);
                var cost = d.Entries * _plan.DmaCosts.SgEntryNs; // writing the PRP/SGL entries
                ctx.Send(_plan.Controller, new NvmeController.Submit((long)_ioBytes, listPages, [.. m.Mapping.DeviceSegments]), cost + ctx.Lookahead);
                Done(ctx, cost);
                break;
            }
            case NvmeController.Completed:
                Queue(ctx, true, _inFlight.Dequeue());
                break;
            case IommuDomain.Unmapped when _step == Step.Unmapping:
            {
                _step = Step.Unpinning;
                var va = SlotVa(_current!);
                ctx.Send(_plan.Process, new Process.Unpin(va, va + _ioBytes, _plan.Gup.FolioBatchedPin, _plan.Gup.HugetlbHeadRefcount, _plan.GupCosts.UnpinNs));
                break;
            }
            case Process.Unpinned u when _step == Step.Unpinning:
            {
                var slot = _current!;
                PagesUnpinned += u.Pages;
                AtomicsNs += u.Puts * _plan.GupCosts.UnpinNs;
                Latency.Record(ctx.Now - slot.SubmittedAt);
                Completed++;
                if (_issued < _total) Queue(ctx, false, slot, deferStart: true);
                if (Completed == _total) FinishedAt = ctx.Now;
                Done(ctx, 0);
                break;
            }
            default:
                throw new ArgumentException($"{Name} cannot handle {message.GetType().Name} while {_step}");
        }
    }

    private ulong SlotVa(Slot s) => _buffer + (ulong)s.Index * _ioBytes;

    private void Queue(SimContext ctx, bool complete, Slot slot, bool deferStart = false)
    {
        if (!complete) _issued++;
        _work.Enqueue((complete, slot));
        if (!deferStart && _step == Step.Idle) Next(ctx, 0);
    }

    private void Done(SimContext ctx, long delay)
    {
        _step = Step.Idle;
        _current = null;
        Next(ctx, delay);
    }

    /// <summary>Starts the next kernel path on this CPU, <paramref name="delay"/> ns from now.</summary>
    private void Next(SimContext ctx, long delay)
    {
        if (_step != Step.Idle || _work.Count == 0) return;
        var (complete, slot) = _work.Dequeue();
        _current = slot;
        if (complete)
        {
            _step = Step.Unmapping;
            ctx.Send(_plan.Domain, new IommuDomain.Unmap(_cpu, slot.Mapping!), delay + ctx.Lookahead);
            return;
        }
        _step = Step.Pinning;
        slot.SubmittedAt = ctx.Now + delay;
        var va = SlotVa(slot);
        ctx.Send(_plan.Process, new Process.Walk(_plan.Call, va, va + _ioBytes, (int)(_ioBytes >> Page.Shift), _plan.Gup),
            delay + ctx.Lookahead);
    }
}
