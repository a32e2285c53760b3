using EdgeAgent.Tracking;
using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference;

/// <summary>
/// YOLOX exported with decode and NMS inside the graph (MMDeploy "end2end", e.g. yolox-nano-person-humanart):
/// output <c>dets [1,N,5]</c> = x1,y1,x2,y2,score in model-input pixels, already suppressed; every label is person.
/// </summary>
public sealed class YoloxNmsDecoder : IDetectionDecoder
{
    public void Decode(IReadOnlyList<OrtValue> outputs, in Letterbox letterbox, float minScore, List<Detection> into)
    {
        ReadOnlySpan<float> dets = outputs[0].GetTensorDataAsSpan<float>();
        for (int i = 0; i + 4 < dets.Length; i += 5)
        {
            float score = dets[i + 4];
            if (score < minScore) continue;
            BoundingBox box = letterbox.ToFrame(dets[i], dets[i + 1], dets[i + 2], dets[i + 3]);
            if (box.Area <= 0) continue;
            into.Add(new Detection(box, score));
        }
    }
}
