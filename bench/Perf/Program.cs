using Broker.Perf;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await PerfRunner.RunAsync(args, Console.Out, Console.Error, cancel.Token);
