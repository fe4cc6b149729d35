// face-api's own outputs for the Java ports in dev.vavl4j.media.visual (FaceApiReferenceTest).
//
//   node reference.mjs IN_DIR OUT_JSON
//
// IN_DIR is what `FaceApiReferenceTest#regenerate` wrote (inputs.json, frames/*.rgb, crops/*.rgb); the
// README in tests/vavl4j-media/resources/visual/ has the whole procedure. For every sampled frame: the
// TinyFaceDetector's faces at each input size (boxes in frame pixels, face-api's FaceDetection.box, and
// scores); for every crop: FaceExpressionNet's 256 bottleneck features and its 7 probabilities. The
// networks run on the tfjs CPU backend (plain JavaScript kernels), on tensors made from the very bytes the
// Java side reads, with the weights of the face-api package, checked against the SHA-256 the jar ships.
import * as tf from '@tensorflow/tfjs';
import faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const [inDir, outFile] = process.argv.slice(2);
if (!inDir || !outFile) {
  console.error('usage: node reference.mjs IN_DIR OUT_JSON');
  process.exit(2);
}
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const fail = (msg) => { console.error(msg); process.exit(1); };

await tf.setBackend('cpu');
await tf.ready();

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('@vladmandic/face-api/package.json'));
const modelDir = join(pkgDir, 'model');
const inputs = JSON.parse(readFileSync(join(inDir, 'inputs.json'), 'utf8'));
for (const [key, want] of Object.entries(inputs.cropsFrom)) {
  if (!key.startsWith('weights.sha256.')) continue;
  const file = key.slice('weights.sha256.'.length);
  const have = sha256(readFileSync(join(modelDir, file)));
  if (have !== want) fail(`${file}: the face-api package holds other weights (${have}) than the jar (${want})`);
}
await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
await faceapi.nets.faceExpressionNet.loadFromDisk(modelDir);

// float32 outputs: 9 significant digits hold a float32 exactly
const f32 = (values) => Array.from(values, (v) => Number(v.toPrecision(9)));
const read = (file, sha, size) => {
  const bytes = readFileSync(join(inDir, file));
  if (bytes.length !== size) fail(`${file}: ${bytes.length} bytes, expected ${size}`);
  if (sha256(bytes) !== sha) fail(`${file}: SHA-256 differs from inputs.json`);
  return Int32Array.from(bytes);
};

const frames = [];
for (const f of inputs.frames) {
  const pixels = read(f.file, f.sha256, inputs.width * inputs.height * 3);
  const t = tf.tensor3d(pixels, [inputs.height, inputs.width, 3], 'int32');
  const detections = {};
  for (const inputSize of inputs.inputSizes) {
    const options = new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: inputs.scoreThreshold });
    const faces = await faceapi.nets.tinyFaceDetector.locateFaces(t, options);
    detections[inputSize] = faces.map((d) => [d.box.x, d.box.y, d.box.width, d.box.height, d.score]);
  }
  t.dispose();
  frames.push({ clip: f.clip, index: f.index, sha256: f.sha256, scoreThreshold: inputs.scoreThreshold, detections });
  process.stderr.write(`frame ${f.clip}/${f.index}: ${detections[inputs.inputSizes[0]].length} face(s)\n`);
}

const crops = [];
const size = inputs.cropSize;
for (const f of inputs.frames) {
  const t = tf.tensor3d(read(f.crop, f.cropSha256, size * size * 3), [size, size, 3], 'int32');
  const netInput = await faceapi.toNetInput(t);
  const bottleneck = faceapi.nets.faceExpressionNet.faceFeatureExtractor.forwardInput(netInput); // [1, 1, 1, 256]
  const probabilities = faceapi.nets.faceExpressionNet.forwardInput(netInput); // softmax(fc(bottleneck))
  crops.push({ clip: f.clip, index: f.index, sha256: f.cropSha256, features: f32(bottleneck.dataSync()), probabilities: f32(probabilities.dataSync()) });
  tf.dispose([t, bottleneck, probabilities]);
}

const out = {
  generator: 'tests/tools/faceapi/reference.mjs',
  faceApi: faceapi.version,
  tfjs: tf.version.tfjs,
  backend: tf.getBackend(),
  frames,
  crops,
};
writeFileSync(outFile, JSON.stringify(out) + '\n');
process.stderr.write(`wrote ${outFile}: ${frames.length} frames, ${crops.length} crops\n`);
