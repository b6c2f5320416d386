/**
 * Neon's regions, as `GET /regions` lists them (https://neon.com/docs/introduction/regions).
 *
 * This is the emulator's own copy of Neon's facts, kept apart from the provider on purpose: the emulator is
 * an independent model of Neon, so a mistake in the provider's idea of Neon cannot hide in both.
 */
export interface Region {
  /** The id the API uses (`region_id`). */
  id: string;
  /** Neon's short description of the region. */
  name: string;
  /** Approximate latitude and longitude, as strings (the API's format). */
  geoLat: string;
  geoLong: string;
}

export const REGION_LIST: readonly Region[] = [
  { id: "aws-us-east-1", name: "AWS US East (N. Virginia)", geoLat: "38.13", geoLong: "-78.45" },
  { id: "aws-us-east-2", name: "AWS US East (Ohio)", geoLat: "39.96", geoLong: "-83.00" },
  { id: "aws-us-west-2", name: "AWS US West (Oregon)", geoLat: "45.87", geoLong: "-119.69" },
  { id: "aws-eu-central-1", name: "AWS Europe (Frankfurt)", geoLat: "50.11", geoLong: "8.68" },
  { id: "aws-eu-west-2", name: "AWS Europe (London)", geoLat: "51.51", geoLong: "-0.13" },
  { id: "aws-ap-southeast-1", name: "AWS Asia Pacific (Singapore)", geoLat: "1.35", geoLong: "103.82" },
  { id: "aws-ap-southeast-2", name: "AWS Asia Pacific (Sydney)", geoLat: "-33.87", geoLong: "151.21" },
  { id: "aws-sa-east-1", name: "AWS South America (São Paulo)", geoLat: "-23.55", geoLong: "-46.63" },
  { id: "azure-eastus2", name: "Azure East US 2 (Virginia)", geoLat: "36.67", geoLong: "-78.39" },
  { id: "azure-westus3", name: "Azure West US 3 (Arizona)", geoLat: "33.45", geoLong: "-112.07" },
  { id: "azure-gwc", name: "Azure Germany West Central (Frankfurt)", geoLat: "50.11", geoLong: "8.68" },
];

/** Region ids a project can be created in. */
export const REGIONS: readonly string[] = REGION_LIST.map((r) => r.id);

/** Neon's default region when a create request names none. */
export const DEFAULT_REGION = "aws-us-east-2";
