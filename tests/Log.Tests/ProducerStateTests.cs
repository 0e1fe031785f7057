using Broker.Log.Tests.Support;

namespace Broker.Log.Tests;

/// <summary>Kafka's idempotent producer rules as a leader applies them on append.</summary>
public class ProducerStateTests
{
    private const long Pid = 4000;

    [Fact]
    public void Batches_in_sequence_are_appended_and_remembered()
    {
        using var t = new TestLog();
        var first = t.Append(TestBatches.Idempotent(Pid, 0, 0, records: 3));
        var second = t.Append(TestBatches.Idempotent(Pid, 0, 3, records: 2));

        Assert.Equal((0L, 3L), (first.FirstOffset, second.FirstOffset));
        var (epoch, batches) = t.Log.ProducerState(Pid)!.Value;
        Assert.Equal(0, epoch);
        Assert.Equal([(0, 2, 0L), (3, 4, 3L)], batches.Select(b => (b.FirstSequence, b.LastSequence, b.FirstOffset)));
    }

    [Fact]
    public void A_retry_of_one_of_the_last_five_batches_is_answered_with_its_first_offsets_and_not_written()
    {
        using var t = new TestLog();
        t.AppendMany(2); // offsets 0-1 from a plain producer
        for (var i = 0; i < 6; i++)
            t.Append(TestBatches.Idempotent(Pid, 0, i * 2, records: 2));
        var end = t.Log.LogEndOffset;

        var retry = t.Append(TestBatches.Idempotent(Pid, 0, 4, records: 2));

        Assert.True(retry.Duplicate);
        Assert.Equal((6L, 7L), (retry.FirstOffset, retry.LastOffset));
        Assert.Equal(end, t.Log.LogEndOffset);
    }

    [Fact]
    public void A_repeat_older_than_the_last_five_batches_is_out_of_order()
    {
        using var t = new TestLog();
        for (var i = 0; i < 6; i++)
            t.Append(TestBatches.Idempotent(Pid, 0, i));

        Assert.Throws<OutOfOrderSequenceException>(() => t.Append(TestBatches.Idempotent(Pid, 0, 0)));
    }

    [Fact]
    public void A_gap_in_the_sequence_is_out_of_order_and_nothing_is_written()
    {
        using var t = new TestLog();
        t.Append(TestBatches.Idempotent(Pid, 0, 0));

        Assert.Throws<OutOfOrderSequenceException>(() => t.Append(TestBatches.Idempotent(Pid, 0, 2)));
        Assert.Equal(1, t.Log.LogEndOffset);
    }

    [Fact]
    public void An_older_epoch_is_fenced_with_invalid_producer_epoch()
    {
        using var t = new TestLog();
        t.Append(TestBatches.Idempotent(Pid, 3, 0));

        Assert.Throws<InvalidProducerEpochException>(() => t.Append(TestBatches.Idempotent(Pid, 2, 1)));
    }

    [Fact]
    public void A_new_epoch_must_start_at_sequence_zero_and_then_resets_the_history()
    {
        using var t = new TestLog();
        t.Append(TestBatches.Idempotent(Pid, 0, 0, records: 5));

        Assert.Throws<OutOfOrderSequenceException>(() => t.Append(TestBatches.Idempotent(Pid, 1, 5)));
        t.Append(TestBatches.Idempotent(Pid, 1, 0));

        var (epoch, batches) = t.Log.ProducerState(Pid)!.Value;
        Assert.Equal(1, epoch);
        Assert.Single(batches);
    }

    [Fact]
    public void An_unknown_producer_may_start_at_any_sequence()
    {
        using var t = new TestLog();
        var info = t.Append(TestBatches.Idempotent(Pid, 0, 42));
        Assert.False(info.Duplicate);
        Assert.Equal(42, t.Log.ProducerState(Pid)!.Value.Batches[0].FirstSequence);
    }

    [Fact]
    public void The_sequence_wraps_from_int_max_to_zero()
    {
        using var t = new TestLog();
        t.Append(TestBatches.Idempotent(Pid, 0, int.MaxValue - 1, records: 2));
        t.Append(TestBatches.Idempotent(Pid, 0, 0, records: 2));

        // A batch that itself crosses the wrap: its last sequence is 1.
        using var u = new TestLog();
        u.Append(TestBatches.Idempotent(Pid, 0, int.MaxValue, records: 2));
        Assert.Equal(0, u.Log.ProducerState(Pid)!.Value.Batches[0].LastSequence);
        u.Append(TestBatches.Idempotent(Pid, 0, 1));
        Assert.True(u.Append(TestBatches.Idempotent(Pid, 0, int.MaxValue, records: 2)).Duplicate);
    }

    [Fact]
    public void A_negative_sequence_with_a_producer_id_and_a_transactional_batch_are_refused()
    {
        using var t = new TestLog();
        Assert.Throws<InvalidProducerBatchException>(() => t.Append(TestBatches.Idempotent(Pid, 0, -1)));
        Assert.Throws<InvalidTxnStateException>(() => t.Append(TestBatches.Idempotent(Pid, 0, 0, transactional: true)));
        Assert.Equal(0, t.Log.LogEndOffset);
    }

    [Fact]
    public void Several_batches_of_one_producer_in_one_append_are_checked_against_each_other()
    {
        using var t = new TestLog();
        t.Append(TestBatches.Concat(TestBatches.Idempotent(Pid, 0, 0, records: 2), TestBatches.Idempotent(Pid, 0, 2)));
        Assert.Equal(2, t.Log.ProducerState(Pid)!.Value.Batches[^1].LastSequence);

        Assert.Throws<OutOfOrderSequenceException>(() =>
            t.Append(TestBatches.Concat(TestBatches.Idempotent(Pid, 0, 3), TestBatches.Idempotent(Pid, 0, 5))));
        Assert.Equal(3, t.Log.LogEndOffset);
    }

    [Fact]
    public void Producers_idle_past_the_expiration_are_forgotten()
    {
        using var t = new TestLog();
        var now = t.Clock.NowMs;
        t.Append(TestBatches.Idempotent(Pid, 0, 0, timestamp: now - 10_000));
        t.Append(TestBatches.Idempotent(Pid + 1, 0, 0, timestamp: now));

        Assert.Equal(1, t.Log.RemoveExpiredProducers(expirationMs: 5_000));

        Assert.Null(t.Log.ProducerState(Pid));
        Assert.NotNull(t.Log.ProducerState(Pid + 1));
        // Forgotten means unknown: any sequence is accepted again.
        t.Append(TestBatches.Idempotent(Pid, 0, 7));
    }

    [Fact]
    public void Active_producers_are_described_with_epoch_last_sequence_and_timestamp()
    {
        using var t = new TestLog();
        t.Append(TestBatches.Idempotent(Pid, 2, 0, records: 3, timestamp: 5_000));

        var producer = Assert.Single(t.Log.ActiveProducers());
        Assert.Equal(new ProducerSummary(Pid, 2, 2, 5_002, -1, -1), producer);
    }
}
