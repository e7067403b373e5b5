package io.pgdr.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The values one field of one Kubernetes object took, in order, as a watch saw them: a change made
 * twice (a repoint, a restart, a scale) shows as two transitions, an idempotent retry as none.
 */
final class Transitions<T extends HasMetadata> implements AutoCloseable {

  private final List<String> values = new ArrayList<>();
  private final Watch watch;

  Transitions(Resource<T> resource, Function<T, String> field) {
    values.add(String.valueOf(field.apply(resource.get())));
    watch = resource.watch(new Watcher<>() {
      @Override
      public void eventReceived(Action action, T object) {
        if (action == Action.MODIFIED || action == Action.ADDED) {
          record(String.valueOf(field.apply(object)));
        }
      }

      @Override
      public void onClose(WatcherException cause) {}
    });
  }

  private synchronized void record(String value) {
    if (!Objects.equals(values.get(values.size() - 1), value)) {
      values.add(value);
    }
  }

  /** Every value the field took, consecutive repeats folded. */
  synchronized List<String> values() {
    return List.copyOf(values);
  }

  @Override
  public void close() {
    watch.close();
  }
}
