-- chart_turnover: per chart and chart date, the songs on the chart and how many of them are
-- new entries, re-entries, climbers, fallers and unchanged, and how many songs of the
-- previous chart left it (exits). Where the lake does not hold the previous chart (a chart's
-- first date, or a gap) every count but song_count is null: nothing to compare with. Built
-- on chart_movements.
create or replace view chart_turnover as

with

movements as (

    select
        chart_id,
        chart_date,
        previous_chart_date,
        rank,
        movement
    from chart_movements

),

final as (

    select
        chart_id,
        chart_date,
        previous_chart_date,
        count_if(rank is not null) as song_count,
        case
            when previous_chart_date is not null then count_if(movement = 'new')
        end as new_entry_count,
        case
            when previous_chart_date is not null then count_if(movement = 're-entry')
        end as re_entry_count,
        case
            when previous_chart_date is not null then count_if(movement = 'exit')
        end as exit_count,
        case
            when previous_chart_date is not null then count_if(movement = 'climbed')
        end as climber_count,
        case
            when previous_chart_date is not null then count_if(movement = 'fell')
        end as faller_count,
        case
            when previous_chart_date is not null then count_if(movement = 'unchanged')
        end as unchanged_count
    from movements
    group by chart_id, chart_date, previous_chart_date

)

select * from final
