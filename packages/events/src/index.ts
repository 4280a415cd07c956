export { SlowConsumerError } from "./bounded-queue";
export {
  createInProcessEventBus,
  DEFAULT_SUBSCRIBER_LIMIT,
  type EventBus,
  type InProcessEventBus,
  type OnHanded,
  type PublishOptions,
  type SubscribeOptions,
} from "./bus";
export {
  type BatchListMessage,
  type BatchProgressMessage,
  channels,
  type MissedMessage,
  missedMessage,
  supersedesUnreadBatchMessage,
  type TradeChannelMessage,
  type TradeStatusMessage,
} from "./channels";
export {
  createPostgresEventBus,
  EventTooLargeError,
  MissedEventsError,
  NOTIFY_PAYLOAD_LIMIT,
  type PostgresEventBusOptions,
} from "./pg-bus";
export { DEFAULT_PROGRESS_INTERVAL_MS, EventPublisher, type EventPublisherOptions } from "./publisher";
export { createRedisEventBus, type RedisEventBusOptions } from "./redis-bus";
