#!/usr/bin/env python3
"""Extracts a few Fashion-MNIST test images into data/images/fashion/*.png (28x28 grayscale, lossless).

Source: shared/reference/fashion_mnist_lenet5/test_images.bin (uint8 10000x28x28, t10k order), test_labels.bin
(uint8), torch_predictions.bin (int32, PyTorch's argmax of the trained LeNet-5). For each class it takes the first
test image, in dataset order, whose label PyTorch's LeNet-5 predicts correctly (so the CLI's answer can be checked
against both the label and PyTorch), and writes it as <class-slug>-<index>.png, index = position in the test set.
Also writes data/fashion-mnist-labels.txt from meta.json.  Usage: python3 tools/make_fashion_images.py [SHARED_DIR]
"""
import json, os, re, sys
from PIL import Image

shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', 'shared')
src = os.path.join(shared, 'reference', 'fashion_mnist_lenet5')
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
images = open(os.path.join(src, 'test_images.bin'), 'rb').read()
labels = open(os.path.join(src, 'test_labels.bin'), 'rb').read()
preds = open(os.path.join(src, 'torch_predictions.bin'), 'rb').read()
pred = [int.from_bytes(preds[4 * i:4 * i + 4], 'little', signed=True) for i in range(len(labels))]
classes = json.load(open(os.path.join(src, 'meta.json')))['classes']

with open(os.path.join(root, 'data', 'fashion-mnist-labels.txt'), 'w') as f:
    f.write('\n'.join(classes) + '\n')

out = os.path.join(root, 'data', 'images', 'fashion')
os.makedirs(out, exist_ok=True)
for c, name in enumerate(classes):
    i = next(i for i in range(len(labels)) if labels[i] == c and pred[i] == c)
    slug = re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')
    img = Image.frombytes('L', (28, 28), images[i * 784:(i + 1) * 784])
    img.save(os.path.join(out, f'{slug}-{i}.png'), optimize=True)
    print(f'{slug}-{i}.png  label {c} ({name}), PyTorch predicts {pred[i]}')
