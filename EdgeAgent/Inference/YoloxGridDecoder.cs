using EdgeAgent.Tracking;
using Microsoft.ML.OnnxRuntime;

namespace EdgeAgent.Inference;

/// <summary>
/// YOLOX with the plain head (e.g. yolox-nano-coco): output <c>[1, A, 5 + classes]</c>, rows in stride order
/// 8, 16, 32, each grid row-major. For a row at stride s and cell (gx, gy):
/// cx = (o0 + gx)·s, cy = (o1 + gy)·s, w = exp(o2)·s, h = exp(o3)·s, person score = obj · class0.
/// Then non-maximum suppression in C#.
/// </summary>
public sealed class YoloxGridDecoder(int inputWidth, int inputHeight, float nmsIoU) : IDetectionDecoder
{
    private static readonly int[] Strides = [8, 16, 32];
    private readonly List<Detection> _candidates = [];

    public void Decode(IReadOnlyList<OrtValue> outputs, in Letterbox letterbox, float minScore, List<Detection> into)
    {
        ReadOnlySpan<float> o = outputs[0].GetTensorDataAsSpan<float>();
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        int stride = (int)shape[^1];
        _candidates.Clear();
        int row = 0;
        foreach (int s in Strides)
        {
            int gw = inputWidth / s, gh = inputHeight / s;
            for (int gy = 0; gy < gh; gy++)
            {
                for (int gx = 0; gx < gw; gx++, row++)
                {
                    int b = row * stride;
                    if (b + 5 >= o.Length) break;
                    float score = o[b + 4] * o[b + 5];
                    if (score < minScore) continue;
                    float cx = (o[b] + gx) * s, cy = (o[b + 1] + gy) * s;
                    float w = MathF.Exp(o[b + 2]) * s, h = MathF.Exp(o[b + 3]) * s;
                    BoundingBox box = letterbox.ToFrame(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
                    if (box.Area > 0) _candidates.Add(new Detection(box, score));
                }
            }
        }
        NonMaxSuppression.Apply(_candidates, nmsIoU, into);
    }
}
