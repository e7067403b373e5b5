package io.pgdr.activities.store;

import java.util.List;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/** Records the object key of every S3 call made through the clients it observes: tests check what a read downloaded. */
public record KeysCalled(List<String> keys) implements ExecutionInterceptor {
  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    context.request().getValueForField("Key", String.class).ifPresent(keys::add);
  }
}
