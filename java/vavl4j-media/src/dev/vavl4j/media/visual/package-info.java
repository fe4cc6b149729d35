/**
 * The built-in visual front end {@code faceexpr} ({@link dev.vavl4j.media.visual.FaceExprFrontEnd}): face-api's
 * TinyFaceDetector and FaceExpressionNet (npm {@code @vladmandic/face-api} 1.7.15, MIT; weights in this
 * package's resources with {@code LICENSE-face-api.txt}) ported to plain Java, with no ONNX Runtime: the
 * weights exist only in TF.js form ({@link dev.vavl4j.media.visual.TfjsWeights} reads them), both networks
 * are small stacks of depthwise-separable convolutions, and the Java is the readable specification of what
 * runs. Checked against face-api's own JavaScript on CREMA-D frames (FaceApiReferenceTest); the design,
 * the choices and the measured speed are in {@code docs/media-visual.md}.
 */
package dev.vavl4j.media.visual;
