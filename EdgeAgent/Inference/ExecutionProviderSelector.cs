using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference;

/// <summary>
/// Builds an ONNX Runtime session with the first execution provider from the configured order that
/// loads (TensorRT → CUDA → CPU). Each provider that fails is logged once with the reason.
/// </summary>
public static class ExecutionProviderSelector
{
    public static (InferenceSession Session, string Provider) Create(string modelPath, DetectorOptions options, ILogger logger)
    {
        var failures = new List<string>();
        foreach (string provider in options.EffectiveProviders)
        {
            SessionOptions so = NewOptions(options);
            try
            {
                switch (provider)
                {
                    case "TensorRT":
                        var trt = new OrtTensorRTProviderOptions();
                        trt.UpdateOptions(new Dictionary<string, string>
                        {
                            ["device_id"] = "0",
                            ["trt_fp16_enable"] = options.TensorRtFp16 ? "1" : "0",
                            ["trt_engine_cache_enable"] = "1",
                            ["trt_engine_cache_path"] = options.TensorRtEngineCacheDirectory,
                        });
                        so.AppendExecutionProvider_Tensorrt(trt);
                        // Nodes TensorRT cannot take fall back to CUDA, then CPU, inside the same session.
                        TryAppendCuda(so);
                        break;
                    case "CUDA":
                        so.AppendExecutionProvider_CUDA(0);
                        break;
                    case "CPU":
                        break;
                    default:
                        throw new ArgumentException($"unknown execution provider '{provider}'");
                }
                var session = new InferenceSession(modelPath, so);
                InferenceLog.ProviderSelected(logger, provider, Path.GetFileName(modelPath));
                return (session, provider);
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or ArgumentException or TypeInitializationException)
            {
                so.Dispose();
                string reason = e.Message.Split('\n')[0];
                failures.Add($"{provider}: {reason}");
                InferenceLog.ProviderUnavailable(logger, provider, reason);
            }
        }
        throw new ModelException($"no execution provider could load {modelPath}: {string.Join("; ", failures)}");
    }

    private static SessionOptions NewOptions(DetectorOptions options)
    {
        var so = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.IntraOpThreads > 0 ? options.IntraOpThreads : DetectorOptions.AutomaticIntraOpThreads,
            InterOpNumThreads = 1,
        };
        so.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
        // Idle inference threads spin by default, burning the cores the capture threads need to decode.
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        return so;
    }

    private static void TryAppendCuda(SessionOptions so)
    {
        try { so.AppendExecutionProvider_CUDA(0); }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException) { }
    }
}
