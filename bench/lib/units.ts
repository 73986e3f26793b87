/** Memory figures are decimal gigabytes, the unit the targets are stated in. */
export const BYTES_PER_GB = 1e9;

export function formatGb(bytes: number): string {
  return (bytes / BYTES_PER_GB).toFixed(2);
}
