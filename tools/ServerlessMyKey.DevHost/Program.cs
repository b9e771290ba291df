using ServerlessMyKey.DevHost;

return await ServerlessMyKeyDevHost.RunAsync(args);
