{#- Per-CRM field mappings onto the common CRM contracts (Fivetran style): adding Salesforce,
    amoCRM or Bitrix24 is a new entry here plus its staging models, never a copy of the
    intermediate SQL. Each CRM is switched on and off by a var (`<crm>_enabled`).

    amoCRM's lead card exists from the first inquiry, so its won / lost status is observed at the
    close, not the card's creation: a closed card was an opportunity by then at the latest (its
    event log dates the move), not since the inquiry.

    Entities, each unioned by one intermediate model:
      records             -> int_crm_records_unioned          (a lead / contact; fields: contract column -> SQL)
      record_stage_values -> int_crm_stage_values_unioned     (field, value, when the record reached it)
      deal_stage_values   -> int_crm_stage_values_unioned     (field, value of a deal; deal created / closed)
      deals               -> int_crm_deals_unioned            (money and dates of a deal)
      deal_records        -> int_crm_deal_records_unioned     (which records a deal is associated with)
      activities          -> int_crm_activities_unioned       (calls, e-mails, meetings)
    A contract column missing from `fields` is null for that CRM.

    What a new CRM looks like (values in crm_stage_map, smarketing.yml `crm_mappings`):
      'salesforce': {
          'enabled': var('salesforce_enabled', false),
          'records': {'model': 'stg_salesforce__leads', 'fields': {'crm_record_id': 'lead_id', ...}},
          'record_stage_values': {'model': 'stg_salesforce__leads', 'id': 'lead_id',
              'values': [{'field': "'Lead.Status'", 'value': 'status', 'at': 'last_modified_at'}]},
          'deal_stage_values': {'model': 'stg_salesforce__opportunities', 'id': 'opportunity_id',
              'created_at': 'created_at', 'closed_at': 'close_date',
              'values': [{'field': "'Opportunity.StageName'", 'value': 'stage_name'},
                         {'field': "'Opportunity.IsWon'", 'value': 'is_won::text'}]},
          ...
      }
-#}
{% macro crm_sources() %}
    {{ return({
        'hubspot': {
            'enabled': var('hubspot_enabled', true),
            'records': {
                'model': 'stg_hubspot__contacts',
                'fields': {
                    'crm_record_id': 'crm_record_id',
                    'email_normalized': 'email_normalized',
                    'phone_digits': 'phone_digits',
                    'company_name': 'company_name',
                    'job_title': 'job_title',
                    'country': 'country',
                    'crm_score': 'lead_score',
                    'crm_source': 'crm_source',
                    'utm_source': 'utm_source',
                    'utm_medium': 'utm_medium',
                    'utm_campaign': 'utm_campaign',
                    'gclid': 'gclid',
                    'fbclid': 'fbclid',
                    'first_conversion_event': 'first_conversion_event',
                    'first_conversion_at': 'first_conversion_at',
                    'recent_conversion_event': 'recent_conversion_event',
                    'recent_conversion_at': 'recent_conversion_at',
                    'created_at': 'created_at',
                    'updated_at': 'updated_at',
                    'disqualification_reason': 'disqualification_reason',
                    'is_archived': 'is_archived',
                },
            },
            'record_stage_values': {
                'model': 'stg_hubspot__contacts',
                'id': 'crm_record_id',
                'values': [
                    {'field': "'lifecyclestage'", 'value': "'lead'", 'at': 'crm_lead_at'},
                    {'field': "'lifecyclestage'", 'value': "'marketingqualifiedlead'", 'at': 'crm_mql_at'},
                    {'field': "'lifecyclestage'", 'value': "'salesqualifiedlead'", 'at': 'crm_sql_at'},
                    {'field': "'lifecyclestage'", 'value': "'opportunity'", 'at': 'crm_opportunity_at'},
                    {'field': "'lifecyclestage'", 'value': "'customer'", 'at': 'crm_customer_at'},
                    {'field': "'lifecyclestage'", 'value': 'crm_stage', 'at': 'updated_at'},
                    {'field': "'hs_lead_status'", 'value': 'crm_lead_status', 'at': 'updated_at'},
                ],
            },
            'deal_stage_values': {
                'model': 'stg_hubspot__deals',
                'id': 'deal_id',
                'created_at': 'created_at',
                'closed_at': 'closed_at',
                'values': [
                    {'field': "'dealstage'", 'value': 'deal_stage'},
                ],
            },
            'deals': {
                'model': 'stg_hubspot__deals',
                'fields': {
                    'deal_id': 'deal_id',
                    'deal_name': 'deal_name',
                    'amount': 'amount',
                    'currency_code': 'currency_code',
                    'pipeline': 'pipeline',
                    'created_at': 'created_at',
                    'closed_at': 'closed_at',
                    'lost_reason': 'lost_reason',
                    'is_archived': 'is_archived',
                    'updated_at': 'updated_at',
                },
            },
            'deal_records': {
                'model': 'stg_hubspot__deal_contacts',
                'fields': {
                    'deal_id': 'deal_id',
                    'crm_record_id': 'crm_record_id',
                },
            },
            'activities': {
                'model': 'stg_hubspot__engagements',
                'fields': {
                    'activity_id': 'engagement_id',
                    'activity_type': 'engagement_type',
                    'direction': 'direction',
                    'occurred_at': 'occurred_at',
                    'owner_id': 'owner_id',
                    'crm_record_id': 'crm_record_id',
                },
            },
        },
        'salesforce': {
            'enabled': var('salesforce_enabled', true),
            'records': {
                'model': 'int_salesforce_contacts_joined_to_leads',
                'fields': {
                    'crm_record_id': 'crm_record_id',
                    'email_normalized': 'email_normalized',
                    'phone_digits': 'phone_digits',
                    'company_name': 'company_name',
                    'job_title': 'job_title',
                    'country': 'country',
                    'crm_source': 'crm_source',
                    'utm_campaign': 'utm_campaign',
                    'created_at': 'created_at',
                    'updated_at': 'updated_at',
                    'is_archived': 'is_archived',
                },
            },
            'record_stage_values': {
                'model': 'int_salesforce_leads_resolved_to_contacts',
                'id': 'crm_record_id',
                'values': [
                    {'field': "'Lead.Status'", 'value': 'case when not is_deleted then lead_status end', 'at': 'updated_at'},
                ],
            },
            'deal_stage_values': {
                'model': 'stg_salesforce__opportunities',
                'id': 'opportunity_id',
                'created_at': 'created_at',
                'closed_at': 'closed_at',
                'values': [
                    {'field': "'Opportunity.StageName'", 'value': 'stage_name'},
                    {'field': "'Opportunity.IsWon'", 'value': 'is_won::text'},
                ],
            },
            'deals': {
                'model': 'stg_salesforce__opportunities',
                'fields': {
                    'deal_id': 'opportunity_id',
                    'deal_name': 'opportunity_name',
                    'amount': 'amount',
                    'currency_code': 'currency_code',
                    'created_at': 'created_at',
                    'closed_at': 'closed_at',
                    'is_archived': 'is_deleted',
                    'updated_at': 'updated_at',
                },
            },
            'deal_records': {
                'model': 'int_salesforce_opportunities_joined_to_records',
                'fields': {
                    'deal_id': 'opportunity_id',
                    'crm_record_id': 'crm_record_id',
                },
            },
        },
        'amocrm': {
            'enabled': var('amocrm_enabled', true),
            'records': {
                'model': 'int_amocrm_contacts_joined_to_leads',
                'fields': {
                    'crm_record_id': 'crm_record_id',
                    'email_normalized': 'email_normalized',
                    'phone_digits': 'phone_digits',
                    'utm_source': 'utm_source',
                    'utm_medium': 'utm_medium',
                    'utm_campaign': 'utm_campaign',
                    'gclid': 'gclid',
                    'yclid': 'yclid',
                    'fbclid': 'fbclid',
                    'created_at': 'created_at',
                    'updated_at': 'updated_at',
                    'is_archived': 'is_archived',
                },
            },
            'deal_stage_values': [
                {
                    'model': 'stg_amocrm__leads',
                    'id': 'deal_id',
                    'created_at': 'closed_at',
                    'closed_at': 'closed_at',
                    'values': [{'field': "'status_id'", 'value': "case when status_id in ('142', '143') then status_id end"}],
                },
                {
                    'model': 'int_amocrm_lead_statuses_reached',
                    'id': 'deal_id',
                    'created_at': 'reached_at',
                    'closed_at': 'reached_at',
                    'values': [{'field': "'status_id'", 'value': 'status_id'}],
                },
            ],
            'deals': {
                'model': 'int_amocrm_leads_joined_to_accounts',
                'fields': {
                    'deal_id': 'deal_id',
                    'deal_name': 'deal_name',
                    'amount': 'amount',
                    'currency_code': 'currency_code',
                    'pipeline': 'pipeline_id',
                    'created_at': 'created_at',
                    'closed_at': 'closed_at',
                    'lost_reason': 'lost_reason',
                    'is_archived': 'is_archived',
                    'updated_at': 'updated_at',
                },
            },
            'deal_records': {
                'model': 'stg_amocrm__lead_contacts',
                'fields': {
                    'deal_id': 'deal_id',
                    'crm_record_id': 'crm_record_id',
                },
            },
            'activities': {
                'model': 'stg_amocrm__calls',
                'fields': {
                    'activity_id': 'activity_id',
                    'activity_type': 'activity_type',
                    'direction': 'direction',
                    'occurred_at': 'occurred_at',
                    'owner_id': 'owner_id',
                    'crm_record_id': 'crm_record_id',
                },
            },
        },
        'bitrix24': {
            'enabled': var('bitrix24_enabled', true),
            'records': {
                'model': 'stg_bitrix24__leads',
                'fields': {
                    'crm_record_id': 'crm_record_id',
                    'email_normalized': 'email_normalized',
                    'phone_digits': 'phone_digits',
                    'company_name': 'company_name',
                    'job_title': 'job_title',
                    'country': 'country',
                    'crm_source': 'crm_source',
                    'utm_source': 'utm_source',
                    'utm_medium': 'utm_medium',
                    'utm_campaign': 'utm_campaign',
                    'created_at': 'created_at',
                    'updated_at': 'updated_at',
                },
            },
            'record_stage_values': {
                'model': 'stg_bitrix24__lead_statuses',
                'id': 'crm_record_id',
                'values': [
                    {'field': "'STATUS_ID'", 'value': 'lead_status', 'at': 'reached_at'},
                ],
            },
            'deal_stage_values': {
                'model': 'stg_bitrix24__deal_stages',
                'id': 'deal_id',
                'created_at': 'created_at',
                'closed_at': 'closed_at',
                'values': [
                    {'field': "'STAGE_SEMANTIC_ID'", 'value': 'stage_semantic'},
                ],
            },
            'deals': {
                'model': 'stg_bitrix24__deals',
                'fields': {
                    'deal_id': 'deal_id',
                    'deal_name': 'deal_name',
                    'amount': 'amount',
                    'currency_code': 'currency_code',
                    'pipeline': 'pipeline',
                    'created_at': 'created_at',
                    'closed_at': 'closed_at',
                    'updated_at': 'updated_at',
                },
            },
            'deal_records': {
                'model': 'stg_bitrix24__deal_leads',
                'fields': {
                    'deal_id': 'deal_id',
                    'crm_record_id': 'crm_record_id',
                },
            },
            'activities': {
                'model': 'stg_bitrix24__activities',
                'fields': {
                    'activity_id': 'activity_id',
                    'activity_type': 'activity_type',
                    'direction': 'direction',
                    'occurred_at': 'occurred_at',
                    'owner_id': 'owner_id',
                    'crm_record_id': 'crm_record_id',
                },
            },
        },
    }) }}
{% endmacro %}
