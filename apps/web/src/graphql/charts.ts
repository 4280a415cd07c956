import { graphql } from "../gql";

/** A series of answered trades per bucket of time, as both run charts draw it. */
export const TradeCountSeriesFragment = graphql(`
  fragment TradeCountSeriesFields on TradeCountSeries {
    bucketSeconds
    succeeded
    failed
    buckets {
      start
      succeeded
      failed
    }
  }
`);

/** The batch page's chart: the bank's answers per bucket over the batch's runs. */
export const BatchThroughputQuery = graphql(`
  query BatchThroughput($id: ID!) {
    batch(id: $id) {
      id
      throughputSeries {
        ...TradeCountSeriesFields
      }
    }
  }
`);

/** The batches page's chart: answers per UTC hour over the last 24 hours, of the batches the caller may see. */
export const TradeVolumeQuery = graphql(`
  query TradeVolume($hours: Int!) {
    tradeVolume(hours: $hours) {
      ...TradeCountSeriesFields
    }
  }
`);
