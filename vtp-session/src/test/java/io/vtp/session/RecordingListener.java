package io.vtp.session;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Remembers what a store reported. */
final class RecordingListener implements SessionStoreListener {
  final List<String> operations = new CopyOnWriteArrayList<>();
  final AtomicInteger conflicts = new AtomicInteger();
  final AtomicInteger corrupt = new AtomicInteger();
  final AtomicInteger evicted = new AtomicInteger();

  @Override
  public void onOperation(Operation operation, Outcome outcome, Duration elapsed) {
    operations.add(operation.tagValue() + ":" + outcome.tagValue());
  }

  @Override
  public void onUpdateConflict() {
    conflicts.incrementAndGet();
  }

  @Override
  public void onCorruptRecord() {
    corrupt.incrementAndGet();
  }

  @Override
  public void onEvicted(int count) {
    evicted.addAndGet(count);
  }
}
