import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** The payload format 2.0 event API Gateway sends, and the structured result we always return. */
export type ApiEvent = APIGatewayProxyEventV2;
export type ApiResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

/** An endpoint: HTTP event in, HTTP result out. Errors it throws are mapped by error-response.ts. */
export type Endpoint = (event: ApiEvent) => Promise<ApiResult>;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

export const jsonResult = (statusCode: number, body: unknown): ApiResult => ({
  statusCode,
  headers: { ...JSON_HEADERS },
  body: JSON.stringify(body),
});
