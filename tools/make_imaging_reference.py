#!/usr/bin/env python3
"""Generate the SharpConv.Imaging test fixtures and PIL/torchvision reference outputs.

How it was run (Debian bookworm packages: python3-pil 9.4.0, python3-numpy 1.24.2,
python3-torchvision 0.14.1 with torch 1.13):

    apt-get install python3-pil python3-numpy python3-torchvision
    /usr/bin/python3 tools/make_imaging_reference.py          # from the repository root

Writes
  data/images/*                 small JPEG/PNG/BMP/GIF fixtures and photo.jpg (a synthetic photo-like scene)
  data/imaging-reference/*.bin  raw reference outputs, described by manifest.json:
      dtype "u8"  : PIL 8-bit pixels, interleaved HWC (what PIL's resize/crop/convert give)
      dtype "f32" : little-endian float32 NCHW tensors (what torchvision's ToTensor/Normalize give)
  data/imaging-reference/manifest.json

Synthetic "pattern" inputs are not stored: both this script and the C# tests compute them as
    v(x, y, c) = (x*7 + y*3 + c*85 + ((x*y) ^ (x + 2*y)) % 64) % 256
which mixes smooth ramps with high-frequency detail (to exercise the antialiasing filter).
Everything is deterministic (fixed seeds), so re-running reproduces the committed files.
"""
import json
import os

import numpy as np
import PIL
import torch
from PIL import Image, ImageDraw, ImageFilter
from torchvision import transforms as T

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMG = os.path.join(ROOT, "data", "images")
REF = os.path.join(ROOT, "data", "imaging-reference")
os.makedirs(IMG, exist_ok=True)
os.makedirs(REF, exist_ok=True)

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
cases = []


def pattern(w, h, c):
    x = np.arange(w, dtype=np.int64)[None, :, None]
    y = np.arange(h, dtype=np.int64)[:, None, None]
    ch = np.arange(c, dtype=np.int64)[None, None, :]
    v = (x * 7 + y * 3 + ch * 85 + ((x * y) ^ (x + 2 * y)) % 64) % 256
    a = v.astype(np.uint8)
    return Image.fromarray(a[:, :, 0], "L") if c == 1 else Image.fromarray(a, "RGB")


def save_u8(name, img, **case):
    a = np.asarray(img, dtype=np.uint8)
    a.tofile(os.path.join(REF, name + ".bin"))
    ch = 1 if a.ndim == 2 else a.shape[2]
    cases.append(dict(name=name, dtype="u8", shape=[a.shape[0], a.shape[1], ch], **case))


def save_f32(name, t, **case):
    t = t.detach().to(torch.float32).contiguous()
    if t.dim() == 3:
        t = t.unsqueeze(0)
    t.numpy().astype("<f4").tofile(os.path.join(REF, name + ".bin"))
    cases.append(dict(name=name, dtype="f32", shape=list(t.shape), **case))


# ---------------------------------------------------------------- fixtures
def scene(w, h, seed=1):
    """A photo-like synthetic scene: sky gradient, sun, hills, a house, a tree, sensor noise and a slight blur."""
    rng = np.random.default_rng(seed)
    yy = np.linspace(0, 1, h)[:, None]
    xx = np.linspace(0, 1, w)[None, :]
    sky = np.stack([90 + 100 * yy + 20 * xx, 140 + 80 * yy + 0 * xx, 230 - 40 * yy + 0 * xx], axis=2)
    img = Image.fromarray(np.clip(sky, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    d.ellipse([w * 0.72, h * 0.08, w * 0.86, h * 0.27], fill=(255, 236, 150))
    d.polygon([(0, h * 0.62), (w * 0.3, h * 0.45), (w * 0.6, h * 0.6), (w, h * 0.5), (w, h), (0, h)], fill=(70, 130, 60))
    d.polygon([(0, h * 0.8), (w * 0.5, h * 0.68), (w, h * 0.82), (w, h), (0, h)], fill=(95, 150, 70))
    d.rectangle([w * 0.18, h * 0.5, w * 0.36, h * 0.74], fill=(200, 180, 150), outline=(60, 40, 30), width=2)
    d.polygon([(w * 0.16, h * 0.5), (w * 0.27, h * 0.38), (w * 0.38, h * 0.5)], fill=(150, 50, 40))
    d.rectangle([w * 0.25, h * 0.62, w * 0.29, h * 0.74], fill=(90, 60, 40))
    d.rectangle([w * 0.62, h * 0.5, w * 0.645, h * 0.7], fill=(100, 70, 40))
    d.ellipse([w * 0.57, h * 0.33, w * 0.70, h * 0.55], fill=(40, 110, 45))
    for i in range(40):  # flowers
        fx, fy = rng.uniform(0, w), rng.uniform(h * 0.78, h)
        col = tuple(int(v) for v in rng.integers(120, 256, 3))
        d.ellipse([fx - 2, fy - 2, fx + 2, fy + 2], fill=col)
    img = img.filter(ImageFilter.GaussianBlur(0.8))
    a = np.asarray(img).astype(np.int16) + rng.normal(0, 4, (h, w, 3)).astype(np.int16)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")


photo = scene(480, 360)
photo.save(os.path.join(IMG, "photo.jpg"), quality=85)  # 4:2:0, baseline
small = scene(48, 32, seed=2)
small.save(os.path.join(IMG, "rgb.png"))
pattern(40, 30, 1).save(os.path.join(IMG, "gray.png"))
rgba = np.dstack([np.asarray(pattern(24, 16, 3)), (np.arange(24 * 16).reshape(16, 24) % 256).astype(np.uint8)])
Image.fromarray(rgba, "RGBA").save(os.path.join(IMG, "rgba.png"))
pattern(20, 14, 3).quantize(colors=16, dither=Image.Dither.NONE).save(os.path.join(IMG, "palette.png"))
pattern(21, 13, 3).save(os.path.join(IMG, "rgb.bmp"))  # odd width: rows padded to 4 bytes
f1 = pattern(20, 12, 3).quantize(colors=32, dither=Image.Dither.NONE)
f2 = Image.new("RGB", (20, 12), (255, 0, 0)).quantize(colors=2)
f1.save(os.path.join(IMG, "anim.gif"), save_all=True, append_images=[f2], duration=100, loop=0)
scene(64, 48, seed=3).save(os.path.join(IMG, "small.jpg"), quality=92)
pattern(32, 32, 1).filter(ImageFilter.GaussianBlur(1)).save(os.path.join(IMG, "gray.jpg"), quality=90)
digit = Image.new("L", (28, 28), 0)
dd = ImageDraw.Draw(digit)
dd.line([(7, 6), (21, 6), (12, 23)], fill=255, width=3)  # a "7"
dd.line([(10, 14), (19, 14)], fill=200, width=2)
digit = digit.filter(ImageFilter.GaussianBlur(0.6))
digit.save(os.path.join(IMG, "digit.png"))

# ---------------------------------------------------------------- decode (lossless: exact; JPEG: decoder-dependent)
for f in ["rgb.png", "gray.png", "rgba.png", "palette.png", "rgb.bmp", "anim.gif", "small.jpg", "gray.jpg", "digit.png"]:
    im = Image.open(os.path.join(IMG, f))
    im = im.convert("L") if im.mode in ("L", "LA") else im.convert("RGB")
    save_u8("decode_" + f.replace(".", "_"), im, op="decode", file=f)

# ---------------------------------------------------------------- resize (PIL Image.resize, as torchvision does on PIL images)
resize_cases = [
    ((100, 80, 3), (37, 29)),   # shrink, non-integer factors
    ((64, 48, 3), (32, 24)),    # shrink 2x
    ((517, 389, 3), (85, 64)),  # shrink ~6x (wide antialias support)
    ((50, 50, 3), (97, 71)),    # enlarge
    ((30, 40, 3), (30, 17)),    # vertical only
    ((41, 13, 3), (19, 13)),    # horizontal only
    ((45, 60, 3), (60, 45)),    # enlarge one axis, shrink the other
    ((77, 51, 1), (23, 40)),    # grayscale
    ((9, 7, 3), (256, 3)),      # extreme
]
for (w, h, c), (ow, oh) in resize_cases:
    src = pattern(w, h, c)
    for interp, pil in [("bilinear", Image.BILINEAR), ("nearest", Image.NEAREST)]:
        save_u8(f"resize_{interp}_{w}x{h}x{c}_to_{ow}x{oh}", src.resize((ow, oh), pil),
                op="resize", pattern=[w, h, c], size=[ow, oh], interp=interp)

# torchvision Resize(int): shorter side, aspect kept (int() truncation of the long side)
for (w, h), size in [((517, 389), 64), ((389, 517), 64), ((100, 33), 10), ((33, 100), 10), ((64, 64), 17), ((120, 80), 96)]:
    out = T.Resize(size)(pattern(w, h, 3))
    save_u8(f"resize_short_{w}x{h}_to_{size}", out, op="resize_short", pattern=[w, h, 3], size=size)

# ---------------------------------------------------------------- center crop (round-half-even offsets, zero pad when larger)
for (w, h), (cw, ch) in [((9, 8), (4, 4)), ((10, 7), (3, 2)), ((12, 11), (5, 6)), ((5, 3), (8, 6)), ((6, 9), (9, 4)), ((7, 7), (7, 7))]:
    out = T.CenterCrop((ch, cw))(pattern(w, h, 3))
    save_u8(f"crop_{w}x{h}_to_{cw}x{ch}", out, op="center_crop", pattern=[w, h, 3], size=[cw, ch])

# ---------------------------------------------------------------- grayscale (PIL convert("L"))
save_u8("gray_pattern_61x47", pattern(61, 47, 3).convert("L"), op="grayscale", pattern=[61, 47, 3])
save_u8("gray_rgb_png", Image.open(os.path.join(IMG, "rgb.png")).convert("RGB").convert("L"), op="grayscale", file="rgb.png")

# ---------------------------------------------------------------- ToTensor / Normalize (float32, tolerance 1e-5)
src = pattern(33, 21, 3)
save_f32("totensor_33x21", T.ToTensor()(src), op="to_tensor", pattern=[33, 21, 3])
save_f32("normalize_33x21", T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])(src), op="normalize", pattern=[33, 21, 3])

# ---------------------------------------------------------------- whole pipelines
# ImageNet eval transform at full size on the pattern: store the 8-bit crop (the float tensor is ToTensor+Normalize of it)
tv_crop = T.Compose([T.Resize(256), T.CenterCrop(224)])
save_u8("imagenet_crop_pattern_517x389", tv_crop(pattern(517, 389, 3)), op="imagenet_crop", pattern=[517, 389, 3])
# ... and on the JPEG photo (decoded by PIL/libjpeg here, by StbImageSharp in SharpConv)
save_u8("imagenet_crop_photo_jpg", tv_crop(Image.open(os.path.join(IMG, "photo.jpg")).convert("RGB")), op="imagenet_crop", file="photo.jpg")
# small full float pipeline: Resize(64) -> CenterCrop(56) -> ToTensor -> Normalize
tv_small = T.Compose([T.Resize(64), T.CenterCrop(56), T.ToTensor(), T.Normalize(MEAN, STD)])
save_f32("imagenet64_56_pattern_517x389", tv_small(pattern(517, 389, 3)), op="imagenet", pattern=[517, 389, 3], resize=64, crop=56)
save_f32("imagenet64_56_rgb_png", tv_small(Image.open(os.path.join(IMG, "rgb.png")).convert("RGB")), op="imagenet", file="rgb.png", resize=64, crop=56)
# Fashion-MNIST LeNet input: 28x28 in the middle of 32x32, /255, (x-0.2860)/0.3530
tv_fashion = T.Compose([T.Grayscale(), T.Resize((28, 28)), T.Pad(2), T.ToTensor(), T.Normalize((0.2860,), (0.3530,))])
save_f32("fashion_digit_png", tv_fashion(Image.open(os.path.join(IMG, "digit.png"))), op="fashion", file="digit.png")
save_f32("fashion_pattern_45x37", tv_fashion(pattern(45, 37, 3)), op="fashion", pattern=[45, 37, 3])

with open(os.path.join(REF, "manifest.json"), "w") as fh:
    json.dump({"generator": "tools/make_imaging_reference.py", "pil": PIL.__version__,
               "torch": torch.__version__, "cases": cases}, fh, indent=1)
print(f"{len(cases)} cases")
for f in sorted(os.listdir(IMG)):
    print(f"  data/images/{f}: {os.path.getsize(os.path.join(IMG, f))} bytes")
print(f"  data/imaging-reference: {sum(os.path.getsize(os.path.join(REF, f)) for f in os.listdir(REF))} bytes")
