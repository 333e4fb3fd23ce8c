// The test servers' containers, when the tests started any, are removed once every test has run.
[assembly: TestFramework("Chat.Data.TestSupport.ContainerRemovingTestFramework", "Chat.Data.TestSupport")]
