"""Writes the small .npy fixtures of NpyTest with real NumPy (run from this folder: python3 make_fixtures.py)."""
import numpy as np
from numpy.lib import format as npf

# values[t, d] = (t * 10 + d) / 8 - 1: exact in float32 and float64, so the test can recompute them.
def grid(t, d, dtype):
    return ((np.arange(t)[:, None] * 10 + np.arange(d)[None, :]) / 8 - 1).astype(dtype)

np.save("f4_3x4.npy", grid(3, 4, np.float32))
np.save("f8_2x5.npy", grid(2, 5, np.float64))
with open("f4_v2_2x3.npy", "wb") as f:
    npf.write_array(f, grid(2, 3, np.float32), version=(2, 0))
with open("f4_v3_2x3.npy", "wb") as f:
    npf.write_array(f, grid(2, 3, np.float32), version=(3, 0))
np.save("f4_fortran_3x4.npy", np.asfortranarray(grid(3, 4, np.float32)))
np.save("f4_bigendian_3x4.npy", grid(3, 4, np.dtype(">f4")))
np.save("i4_3x4.npy", grid(3, 4, np.float32).astype(np.int32))
np.save("f4_3d_2x3x4.npy", np.zeros((2, 3, 4), np.float32))
np.save("f4_1d_5.npy", np.zeros(5, np.float32))
nan = grid(3, 4, np.float32); nan[1, 2] = np.nan
np.save("f4_nan_at_1_2.npy", nan)
inf = grid(3, 4, np.float64); inf[2, 0] = -np.inf
np.save("f8_neginf_at_2_0.npy", inf)
