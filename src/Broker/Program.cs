using Broker.Cli;
using Broker.Config;

return await CliApp.RunAsync(args, KafkaEnvironment.Snapshot(), Console.Out, Console.Error);
