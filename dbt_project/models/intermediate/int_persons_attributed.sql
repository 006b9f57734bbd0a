-- Each person's attribution: the touch that gets the credit, its ad campaign and its channel.
-- * Touches: each live CRM record of the person is one touch at its creation, with the UTM tags,
--   click id, lead form and CRM source captured on it.
-- * settings.attribution_model: first_touch = the earliest touch; last_touch_before_mql = the
--   latest touch at or before mql_at (any touch for a person who is no MQL; the first touch if
--   every touch came after mql_at). Equal times: by CRM and record id.
-- * Campaign: the touch's utm_campaign names an ad campaign by its id or, failing that, by its
--   name (case, outer and repeated spaces ignored); an id match wins over a name match. A touch
--   whose click id or utm_source names an ad platform (macro touch_ad_platform) matches only that
--   platform's campaigns.
-- * Channel: a person with a campaign takes the campaign's channel, so a campaign's spend and its
--   leads fall in the same channel; otherwise the first matching channel rule; else Other.
-- * is_paid: a campaign was matched, or the channel is a paid one (any rule naming it is paid).
-- Incremental (macros/restated_persons.sql): each build reattributes the persons whose CRM rows
-- changed, and every person when a campaign or a definition it reads changed.
{{ restated_persons_config(settings=['attribution_model'], definitions=['channel_rules'], inputs=['int_ad_campaigns_deduplicated']) }}

with settings as (
    select attribution_model from {{ ref('stg_definitions__settings') }}
),

persons as (
    select
        lifecycle.person_id,
        lifecycle.mql_at
    from {{ ref('int_person_lifecycle') }} as lifecycle
    {{ only_restated_persons('lifecycle.person_id') }}
),

touches as (
    select
        merged.person_id,
        records.crm,
        records.crm_record_id,
        records.crm || ':' || records.crm_record_id as touch_key,
        records.created_at as touched_at,
        records.email_domain,
        records.company_name,
        records.job_title,
        records.country,
        records.crm_source,
        records.crm_score,
        records.utm_source,
        records.utm_medium,
        records.utm_campaign,
        records.click_id,
        records.click_id_type,
        records.lead_form,
        records.first_conversion_event
    from {{ ref('int_crm_records_unioned') }} as records
    inner join {{ ref('int_crm_records_merged_to_persons') }} as merged
        on records.crm = merged.crm
        and records.crm_record_id = merged.crm_record_id
    {{ only_restated_persons('merged.person_id') }}
    where not records.is_archived
),

credited as (
    select distinct on (touches.person_id)
        touches.*
    from touches
    inner join persons on touches.person_id = persons.person_id
    cross join settings
    order by
        touches.person_id,
        -- last_touch_before_mql: touches at or before mql_at first, the latest of them first.
        case
            when settings.attribution_model = 'last_touch_before_mql'
                and touches.touched_at <= coalesce(persons.mql_at, 'infinity'::timestamptz)
                then 0
            else 1
        end,
        case
            when settings.attribution_model = 'last_touch_before_mql'
                and touches.touched_at <= coalesce(persons.mql_at, 'infinity'::timestamptz)
                then touches.touched_at
        end desc nulls last,
        touches.touched_at,
        touches.crm,
        touches.crm_record_id
),

campaigns as (
    select
        campaign_key,
        ad_platform,
        campaign_id,
        campaign_name_normalized,
        channel
    from {{ ref('int_ad_campaigns_deduplicated') }}
),

-- An id match and a name match are two equi-joins: one join on "id = utm or name = normalized utm"
-- can only be a nested loop over people x campaigns.
campaign_candidates as (
    select
        credited.person_id,
        campaigns.campaign_key,
        'id' as campaign_match,
        campaigns.channel
    from credited
    inner join campaigns
        on campaigns.campaign_id = credited.utm_campaign
        and coalesce(campaigns.ad_platform = {{ touch_ad_platform('credited.utm_source', 'credited.click_id_type') }}, true)
    union all
    select
        credited.person_id,
        campaigns.campaign_key,
        'name' as campaign_match,
        campaigns.channel
    from credited
    inner join campaigns
        on campaigns.campaign_name_normalized = {{ normalize_campaign_name('credited.utm_campaign') }}
        and coalesce(campaigns.ad_platform = {{ touch_ad_platform('credited.utm_source', 'credited.click_id_type') }}, true)
),

campaign_matches as (
    select distinct on (person_id)
        person_id,
        campaign_key,
        campaign_match,
        channel
    from campaign_candidates
    order by person_id, campaign_match = 'id' desc, campaign_key
),

rule_channels as (
    {{ first_matching_channel_rule('credited', 'touch_key') }}
),

paid_channels as (
    select channel
    from {{ ref('stg_definitions__channel_rules') }}
    group by channel
    having bool_or(is_paid)
),

final as (
    select
        persons.person_id,
        settings.attribution_model,
        credited.crm as touch_crm,
        credited.crm_record_id as touch_crm_record_id,
        credited.touched_at,
        credited.crm_source,
        credited.utm_source,
        credited.utm_medium,
        credited.utm_campaign,
        credited.click_id_type,
        credited.lead_form,
        campaign_matches.campaign_key,
        campaign_matches.campaign_match,
        rule_channels.rule_order as channel_rule_order,
        coalesce(campaign_matches.channel, rule_channels.channel, 'Other') as channel,
        (
            campaign_matches.campaign_key is not null
            or coalesce(rule_channels.channel in (select channel from paid_channels), false)
        ) as is_paid
    from persons
    cross join settings
    left join credited on persons.person_id = credited.person_id
    left join campaign_matches on persons.person_id = campaign_matches.person_id
    left join rule_channels on credited.touch_key = rule_channels.touch_key
)

select * from final
