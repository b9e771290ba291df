// The DevHosts of these tests share one Azurite and start Durable workers; run the classes one at a time.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
