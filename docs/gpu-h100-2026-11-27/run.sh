#!/bin/bash
cd "$(dirname "$0")"
export LD_LIBRARY_PATH="$PWD:/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
chmod +x bench
ls -la /dev/nvidia* 2>&1 | head; echo "caps=$NVIDIA_DRIVER_CAPABILITIES"
ok=""
for lib in libEGL_nvidia.so.0 /usr/local/nvidia/lib64/libGLX_nvidia.so.0 /usr/local/nvidia/lib64/libEGL_nvidia.so.0; do
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.239"}}' "$lib" > /tmp/icd.json
  echo "== try $lib"
  if VK_ICD_FILENAMES=/tmp/icd.json VK_LOADER_DEBUG=error timeout 60 ./bench --backend vulkan --sweep 0.3 2>&1 | grep -v "^   \|stack backtrace\|note: Some" | head -14 | tee /tmp/out.txt | grep -q ms_per_step; then ok=1; cat /tmp/out.txt; break; fi
  head -6 /tmp/out.txt
done
if [ -n "$ok" ]; then
  echo "== vulkan sweep"; VK_ICD_FILENAMES=/tmp/icd.json timeout 120 ./bench --backend vulkan --sweep 1 2>&1 | grep -v "^   " | tail -12
  echo "== cpu sweep"; timeout 70 ./bench --backend cpu --sweep 1 2>&1 | tail -12
  echo "== vulkan workloads"; VK_ICD_FILENAMES=/tmp/icd.json timeout 100 ./bench --backend vulkan --image-seconds 10 2>&1 | grep -v "^   " | tail -8
fi
echo "== end"
