using ServerlessMyKey.Cli.Commands;

return await MyKeyCommand.RunAsync(args);
