/**
 * For scale in the cold start benchmark, never shipped: an aws-xray-sdk-core that does nothing,
 * aliased in place of the real one under the ReadMessages bundle (bench/lib/bundles.ts). The
 * Powertools Tracer above it and our handler run as they do in Lambda, but no X-Ray code loads
 * and no segment is built or sent. Its traced cold start is what tracing would cost if the X-Ray
 * client were free: the lowest a bundle traced through Powertools Tracer can go.
 *
 * It has what Powertools' ProviderService takes from the SDK (`provider/ProviderService.js` of
 * @aws-lambda-powertools/tracer), and the segment methods the Tracer and our handler call.
 */
class NoOpSubsegment {
  addNewSubsegment(): NoOpSubsegment {
    return new NoOpSubsegment();
  }
  addAnnotation(): void {}
  addMetadata(): void {}
  addError(): void {}
  addErrorFlag(): void {}
  addFaultFlag(): void {}
  addThrottleFlag(): void {}
  close(): void {}
}

/** Powertools tells the facade segment apart from subsegments with `instanceof Segment`. */
class Segment extends NoOpSubsegment {}

const facade = new Segment();
const nothing = (): void => undefined;
const same = <T>(value: T): T => value;

export default {
  Segment,
  captureAWS: same,
  captureAWSClient: same,
  captureAWSv3Client: same,
  captureAsyncFunc: nothing,
  captureFunc: nothing,
  captureHTTPsGlobal: nothing,
  getNamespace: nothing,
  getSegment: (): Segment => facade,
  setSegment: nothing,
  setContextMissingStrategy: nothing,
  setDaemonAddress: nothing,
  setLogger: nothing,
};
