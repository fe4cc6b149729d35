#!/usr/bin/env python3
"""Exports the tiny ONNX models and PyTorch reference outputs that the vavl4j-media ONNX tests use.

Run with a Python that has torch (1.13 tested) and numpy; the onnx package is not needed:

    /usr/bin/python3 tests/tools/export_tiny_onnx.py

Writes into tests/vavl4j-media/resources/onnx/:
  audio_tiny.onnx        float32[1, samples] -> float32[1, frames, 16]  (Conv1d k400 s320 + ReLU + Linear, 50 Hz)
  visual_tiny.onnx       float32[N, 3, 64, 64] -> float32[N, 8]         (Conv2d k3 s2 + ReLU + mean pool + Linear)
  audio_seeded_in.npy / audio_seeded_out.npy     a seeded waveform and the model's output on it
  audio_crema_out.npy    the output on crema-d/resampled/1002_DFA_ANG_XX.wav (s16 / 32768, 16 kHz)
  visual_seeded_in.npy   uint8[2, 64, 64, 3] crops (RgbFrame layout); visual_seeded_out.npy [2, 8]
  bad_two_inputs.onnx, bad_rank.onnx, bad_int_input.onnx, bad_output_rank.onnx   models the contracts refuse
"""
import os
import wave

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RES = os.path.join(ROOT, "tests", "vavl4j-media", "resources")
OUT = os.path.join(RES, "onnx")
OPSET = 13
# the visual contract's normalisation; OnnxVisualModel uses the same float32 constants
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


class TinyAudio(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv1d(1, 8, kernel_size=400, stride=320)  # wav2vec2's first layer: 25 ms / 20 ms
        self.lin = torch.nn.Linear(8, 16)

    def forward(self, wav):  # [1, samples]
        h = torch.relu(self.conv(wav.unsqueeze(1)))  # [1, 8, frames]
        return self.lin(h.transpose(1, 2))  # [1, frames, 16]


class TinyVisual(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, kernel_size=3, stride=2)
        self.lin = torch.nn.Linear(4, 8)

    def forward(self, x):  # [N, 3, 64, 64]
        return self.lin(torch.relu(self.conv(x)).mean(dim=(2, 3)))  # [N, 8]


class TwoInputs(torch.nn.Module):
    def forward(self, a, b):
        return (a + b).unsqueeze(2).repeat(1, 1, 4)


class Rank3Input(torch.nn.Module):
    def forward(self, x):  # [1, 3, samples]
        return x.transpose(1, 2)


class IntInput(torch.nn.Module):
    def forward(self, x):  # int64 [1, samples]
        return x.float().unsqueeze(2).repeat(1, 1, 4)


class Rank4Output(torch.nn.Module):
    def forward(self, x):  # [1, samples] -> [1, samples, 2, 2]
        return x.unsqueeze(2).unsqueeze(3).repeat(1, 1, 2, 2)


def export(model, args, name, inputs, dynamic):
    torch.onnx.export(model, args, os.path.join(OUT, name), opset_version=OPSET, input_names=inputs,
                      output_names=["out"], dynamic_axes=dynamic, do_constant_folding=True)


def read_wav_s16(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1, path
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return (pcm.astype(np.float32) / np.float32(32768.0))[None, :]


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(1234)
    audio, visual = TinyAudio().eval(), TinyVisual().eval()
    with torch.no_grad():
        wav = torch.rand(1, 4000) * 2 - 1
        export(audio, (wav,), "audio_tiny.onnx", ["wav"], {"wav": {1: "samples"}, "out": {1: "frames"}})
        np.save(os.path.join(OUT, "audio_seeded_in.npy"), wav.numpy().astype(np.float32))
        np.save(os.path.join(OUT, "audio_seeded_out.npy"), audio(wav).numpy().astype(np.float32))
        crema = torch.from_numpy(read_wav_s16(os.path.join(RES, "crema-d", "resampled", "1002_DFA_ANG_XX.wav")))
        np.save(os.path.join(OUT, "audio_crema_out.npy"), audio(crema).numpy().astype(np.float32))

        crops = torch.randint(0, 256, (2, 64, 64, 3), dtype=torch.uint8)  # N, H, W, RGB like RgbFrame
        x = crops.permute(0, 3, 1, 2).float() / 255.0
        x = (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
        export(visual, (x,), "visual_tiny.onnx", ["crops"], {"crops": {0: "n"}, "out": {0: "n"}})
        np.save(os.path.join(OUT, "visual_seeded_in.npy"), crops.numpy())
        np.save(os.path.join(OUT, "visual_seeded_out.npy"), visual(x).numpy().astype(np.float32))

        s = torch.zeros(1, 800)
        export(TwoInputs(), (s, s), "bad_two_inputs.onnx", ["a", "b"], {"a": {1: "samples"}, "b": {1: "samples"}})
        export(Rank3Input(), (torch.zeros(1, 3, 224),), "bad_rank.onnx", ["x"], None)
        export(IntInput(), (torch.zeros(1, 800, dtype=torch.int64),), "bad_int_input.onnx", ["ids"],
               {"ids": {1: "samples"}})
        export(Rank4Output(), (s,), "bad_output_rank.onnx", ["wav"], {"wav": {1: "samples"}, "out": {1: "samples"}})


if __name__ == "__main__":
    main()
