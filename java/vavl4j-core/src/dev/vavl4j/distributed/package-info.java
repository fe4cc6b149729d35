/**
 * Host-side logic of data-parallel training over several processes (one per GPU), designed in
 * {@code docs/distributed.md}: how a batch is split across ranks so that the combined gradient equals the
 * one-process gradient ({@link dev.vavl4j.distributed.BatchSharding}), and how gradients are grouped into
 * fixed-size buckets for a bucketed all-reduce ({@link dev.vavl4j.distributed.GradientBuckets}). The
 * collective itself is NCCL, bound in {@code dev.vavl4j.backend.cuda.Nccl}. Nothing here trains yet.
 */
package dev.vavl4j.distributed;
