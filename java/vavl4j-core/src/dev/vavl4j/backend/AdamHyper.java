package dev.vavl4j.backend;

/** Adam hyper-parameters (PyTorch semantics, L2 weight decay added to the gradient). */
public record AdamHyper(double lr, double beta1, double beta2, double eps, double weightDecay) {}
