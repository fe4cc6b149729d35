"""Makes the extra parity fixtures of tests/vavl4j-core/resources/dev/vavl4j/fixtures-extra with the shared oracle.

    /usr/bin/python3 tests/tools/make_extra_fixtures.py ../shared/oracle tests/vavl4j-core/resources/dev/vavl4j/fixtures-extra

Needs PyTorch (Debian: apt-get install python3-torch). It only picks configurations; every number is
computed by the oracle's own make_fixtures.main (shared/oracle, not copied here). The cases stress what
the two shipped fixtures do not: other head counts and widths, kernel 1 and kernels longer than the
sequence, no shared or no modality layers, steps skipped for fewer than 2 samples, a near-paper shape.
"""
import os
import sys

CASES = [
    # name, config overrides, batch spec, seed
    ("heads4-k7-cls5", dict(audio_dim=14, visual_dim=10, proj_dim=6, model_dim=24, heads=4, conv_kernel=7,
                            modality_layers=1, shared_layers=1, head_hidden=[12, 6], outputs=5,
                            task="classification", recon_weight=2.0, lr=1e-2),
     dict(B=4, Ta=10, Tv=6, missing={"audio": [1]}), 21),
    ("heads1-k1-noshared-reg", dict(audio_dim=9, visual_dim=7, proj_dim=5, model_dim=8, heads=1, conv_kernel=1,
                                    modality_layers=3, shared_layers=0, head_hidden=[6, 5], outputs=3,
                                    task="regression", recon_weight=1.0, lr=1e-2),
     dict(B=5, Ta=8, Tv=9, missing={"visual": [0, 2], "audio": [4]}), 22),
    ("nomodality-layers-k9-shortT", dict(audio_dim=6, visual_dim=5, proj_dim=4, model_dim=12, heads=6, conv_kernel=9,
                                         modality_layers=0, shared_layers=2, head_hidden=[8, 8], outputs=2,
                                         task="classification", recon_weight=0.5, lr=5e-3),
     dict(B=4, Ta=4, Tv=3, missing={}), 23),
    ("skip-visual-and-fusion", dict(audio_dim=8, visual_dim=6, proj_dim=4, model_dim=8, heads=2, conv_kernel=3,
                                    modality_layers=1, shared_layers=1, head_hidden=[6, 4], outputs=3,
                                    task="classification", recon_weight=2.0, lr=1e-2),
     dict(B=3, Ta=7, Tv=5, missing={"visual": [1, 2]}), 24),
    ("nearpaper-d64-h8-k31", dict(audio_dim=32, visual_dim=40, proj_dim=50, model_dim=64, heads=8, conv_kernel=31,
                                  modality_layers=1, shared_layers=1, head_hidden=[32, 16], outputs=6,
                                  task="classification", recon_weight=2.0, lr=1e-3),
     dict(B=3, Ta=40, Tv=24, missing={"audio": [2]}), 25),
]

if __name__ == "__main__":
    oracle, out = sys.argv[1], sys.argv[2]
    sys.path.insert(0, os.path.abspath(oracle))
    import make_fixtures  # noqa: E402  (the shared fixture maker)
    make_fixtures.main(out, CASES)
