#!/bin/sh
# Fail when the engine (src/, include/) names a provider, a model or a field
# from the provider documents: that knowledge belongs in rules/ only.
# Usage: neutral.sh REPO_ROOT
root=${1:-.}
names='kling|givon|replicate|unifically|ezmodel|kuaishou|kwaivgi|multi_prompt|multi_shots|multiPrompt'
names="$names|aspectRatio|aspect_ratio|audioEnabled|referenceVideo|referenceAssetUris|startImage"
names="$names|endImage|generate_audio|reference_images|reference_video|video_reference_type"
names="$names|keep_original_sound|native_audio|image_urls|video_mode|start_image_index"
names="$names|start_frame_url|end_frame_url|start_image|end_image|image_list|video_list"
names="$names|element_list|element_id|refer_type|cfg_scale|negative_prompt|external_task_id"
names="$names|first_frame|end_frame|video_url|image_url|webhook_events_filter|1d449e25"
hits=$(grep -rniE "$names" "$root/src" "$root/include")
if [ -n "$hits" ]; then
    echo "provider knowledge in the engine (move it to rules/):"
    echo "$hits"
    exit 1
fi
# The check is only meaningful when there is code to check.
n=$(find "$root/src" "$root/include" -name '*.[ch]' | wc -l)
if [ "$n" -lt 10 ]; then
    echo "found only $n source files under $root: wrong root?"
    exit 1
fi
echo "src/ and include/ name no provider, model or provider field ($n files checked)"
