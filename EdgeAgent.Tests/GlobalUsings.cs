global using EdgeAgent.Tests.TestSupport;
