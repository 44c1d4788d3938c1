import struct, json
from safetensors.numpy import load
cases = {
 "overlap": ('{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}', 16),
 "same": ('{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}', 8),
 "gap": ('{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}', 16),
 "leadgap": ('{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}', 8),
 "trailing": ('{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', 8),
 "ok": ('{"b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}, "e": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]}, "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', 8),
}
for k,(h,n) in cases.items():
    b = struct.pack('<Q', len(h)) + h.encode() + bytes(n)
    try: r = load(b); print(k, "loads", {x: v.tolist() for x,v in r.items()})
    except Exception as e: print(k, "refused:", e)
