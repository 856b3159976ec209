import { z } from '@thgov/core/internal';

/** Bounds every incoming document must respect; a breach is a typed `ERR_ECMS_XML_HOSTILE`. */
export interface XmlLimits {
  /** Whole document. Default 128 MiB (a letter with 50 MB of attachments is ~68 MB of base64). */
  maxBytes: number;
  /** Element nesting. Default 64. */
  maxDepth: number;
  /** Elements in the document. Default 20 000. */
  maxElements: number;
  /** Length of one attribute value. Default 8 KiB. */
  maxAttributeLength: number;
  /** Attributes on one element. Default 64. */
  maxAttributes: number;
  /** Characters of text outside binary objects (names, subjects…) per field. Default 1 MiB. */
  maxTextLength: number;
  /**
   * Comments and processing instructions in the document (the XML declaration not counted). Default 1 000.
   * Signatures ignore them, but removing them before a digest costs time quadratic in their number.
   */
  maxCommentsAndInstructions: number;
}

/** The XML limits every received document is held to unless the client sets its own. */
export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxBytes: 128 * 1024 * 1024,
  maxDepth: 64,
  maxElements: 20_000,
  maxAttributeLength: 8 * 1024,
  maxAttributes: 64,
  maxTextLength: 1024 * 1024,
  maxCommentsAndInstructions: 1_000,
};

export const xmlLimitsSchema = z
  .object({
    maxBytes: z.number().int().positive().optional(),
    maxDepth: z.number().int().positive().max(10_000).optional(),
    maxElements: z.number().int().positive().optional(),
    maxAttributeLength: z.number().int().positive().optional(),
    maxAttributes: z.number().int().positive().optional(),
    maxTextLength: z.number().int().positive().optional(),
    maxCommentsAndInstructions: z.number().int().nonnegative().optional(),
  })
  .strict();

export function resolveLimits(partial: Partial<XmlLimits> | undefined): XmlLimits {
  return { ...DEFAULT_XML_LIMITS, ...(partial ?? {}) };
}
