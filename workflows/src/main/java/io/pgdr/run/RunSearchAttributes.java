package io.pgdr.run;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.util.List;

/**
 * The search attributes every recovery run carries, so the Temporal UI and {@code pgdr list} can
 * filter runs: which database, which scenario, which phase, whether the RTO was breached, whether
 * a human is being waited for. The names are the contract with the stack that registers them
 * (docker-compose's set-up job, the embedded service, the lab); docs/ui.md shows the filters.
 */
public final class RunSearchAttributes {

  public static final SearchAttributeKey<String> DATABASE = SearchAttributeKey.forKeyword("PgdrDatabase");
  public static final SearchAttributeKey<String> SCENARIO = SearchAttributeKey.forKeyword("PgdrScenario");
  /** diagnosing, awaiting-approval, recovering, swapping, verifying, then succeeded, failed or aborted. */
  public static final SearchAttributeKey<String> PHASE = SearchAttributeKey.forKeyword("PgdrPhase");
  public static final SearchAttributeKey<Boolean> RTO_BREACHED = SearchAttributeKey.forBoolean("PgdrRtoBreached");
  public static final SearchAttributeKey<Boolean> APPROVAL_PENDING = SearchAttributeKey.forBoolean("PgdrApprovalPending");

  public static final List<SearchAttributeKey<?>> ALL = List.of(DATABASE, SCENARIO, PHASE, RTO_BREACHED, APPROVAL_PENDING);

  /** The phase a run has from its start until it has diagnosed the cluster. */
  public static final String FIRST_PHASE = "diagnosing";

  private RunSearchAttributes() {}

  /** What a run carries from the moment it is started, before a worker has picked it up. */
  public static SearchAttributes atStart(String database, String scenario) {
    return SearchAttributes.newBuilder()
        .set(DATABASE, database)
        .set(SCENARIO, scenario)
        .set(PHASE, FIRST_PHASE)
        .set(RTO_BREACHED, false)
        .set(APPROVAL_PENDING, false)
        .build();
  }

  /**
   * Registers the attributes on the Temporal service at {@code address} ({@code host:port}), for
   * a service that starts without them: Temporal's test service, embedded or in the lab. A real
   * one needs this once, done by its set-up job (docs/ui.md).
   */
  public static void registerAt(String address, String namespace) {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder().setTarget(address).validateAndBuildWithDefaults());
    try {
      register(operator, namespace);
    } finally {
      operator.shutdownNow();
    }
  }

  /**
   * Registers the attributes the service does not know yet. A service refuses to start a run that
   * carries an unknown attribute, so this comes before any run is started.
   */
  public static void register(OperatorServiceStubs operator, String namespace) {
    for (SearchAttributeKey<?> key : ALL) {
      try {
        // one at a time: a request naming an attribute that exists already is refused whole
        operator.blockingStub().addSearchAttributes(AddSearchAttributesRequest.newBuilder()
            .setNamespace(namespace)
            .putSearchAttributes(key.getName(), key.getValueType())
            .build());
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
          throw e;
        }
      }
    }
  }
}
