using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Chat.Data.TestSupport;

/// <summary>
/// xunit's own test framework, which also removes the test servers' containers once every test of the assembly
/// has run, before the run is reported finished (the test host is torn down right after that, too soon for
/// process-exit handlers). A test assembly opts in with
/// <c>[assembly: TestFramework("Chat.Data.TestSupport.ContainerRemovingTestFramework", "Chat.Data.TestSupport")]</c>.
/// </summary>
public sealed class ContainerRemovingTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
    {
        protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            using var runner = new AssemblyRunner(TestAssembly, testCases, DiagnosticMessageSink, executionMessageSink, executionOptions);
            await runner.RunAsync();
        }
    }

    private sealed class AssemblyRunner(
        ITestAssembly testAssembly,
        IEnumerable<IXunitTestCase> testCases,
        IMessageSink diagnosticMessageSink,
        IMessageSink executionMessageSink,
        ITestFrameworkExecutionOptions executionOptions)
        : XunitTestAssemblyRunner(testAssembly, testCases, diagnosticMessageSink, executionMessageSink, executionOptions)
    {
        protected override async Task BeforeTestAssemblyFinishedAsync()
        {
            await TestServers.RemoveContainersAsync();
            await base.BeforeTestAssemblyFinishedAsync();
        }
    }
}
